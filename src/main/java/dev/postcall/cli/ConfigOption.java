package dev.postcall.cli;

import dev.postcall.config.EnvFile;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}, shared by every command (a picocli mixin). The default is the checkout's
 * {@code conf/postcall.properties}; the installed launcher sets {@code -Dpostcall.config=/etc/postcall/postcall.properties}
 * and {@code -Dpostcall.env-file=/etc/postcall/env} (the service's secrets, for the admin commands).
 */
public final class ConfigOption {
  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${sys:postcall.config:-conf/postcall.properties}",
      description = "Configuration file; every key can be overridden by POSTCALL_<KEY> (default: ${DEFAULT-VALUE}).")
  Path path;

  /** Loads and validates; a bad value throws ConfigException, which Main prints as one line. */
  public PostcallConfig load() {
    Path file = path != null && Files.exists(path) ? path : null;
    if (path != null && file == null && !path.toString().equals("conf/postcall.properties"))
      throw new dev.postcall.config.ConfigException("--config", "file not found: " + path);
    String envFile = System.getProperty("postcall.env-file");
    return PostcallConfig.from(Settings.load(file, EnvFile.under(System.getenv(), envFile == null ? null : Path.of(envFile))));
  }
}
