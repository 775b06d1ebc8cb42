package dev.postcall.config;

import dev.postcall.PostcallException;

/** A configuration value is missing or wrong. The message names the key and the problem in one line. */
public final class ConfigException extends PostcallException {
  public ConfigException(String key, String problem) {
    super(key + ": " + problem, false);
  }
}
