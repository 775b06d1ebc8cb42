package dev.postcall.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.postcall.config.PostcallConfig;
import java.time.Instant;
import picocli.CommandLine.Mixin;

/**
 * {@code --config} for the admin commands, and the database they talk to: the running service's
 * own, from the same configuration file. The admin commands never migrate the schema.
 */
final class AdminDb {
  @Mixin ConfigOption config;

  static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance))
      .enable(SerializationFeature.INDENT_OUTPUT);

  PostcallConfig load() {
    return config.load();
  }

  /** Who an admin action is recorded as: {@code cli:<login name>} unless given. */
  static String who(String as) {
    return "cli:" + (as != null && !as.isBlank() ? as.strip() : System.getProperty("user.name", "admin"));
  }
}
