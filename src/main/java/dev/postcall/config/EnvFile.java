package dev.postcall.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The service's environment file ({@code /etc/postcall/env}: {@code KEY=VALUE} lines, as systemd's
 * EnvironmentFile= reads them), so that the admin commands find the secrets the service gets there.
 */
public final class EnvFile {
  private EnvFile() {}

  /** The variables of {@code file}; empty when it is missing or not readable by this user. */
  public static Map<String, String> read(Path file) {
    Map<String, String> vars = new HashMap<>();
    if (file == null || !Files.isReadable(file)) return vars;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) continue;
        if (l.startsWith("export ")) l = l.substring("export ".length()).strip();
        int eq = l.indexOf('=');
        if (eq <= 0) continue;
        String value = l.substring(eq + 1).strip();
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
            && value.charAt(value.length() - 1) == value.charAt(0))
          value = value.substring(1, value.length() - 1);
        vars.put(l.substring(0, eq).strip(), value);
      }
    } catch (IOException e) {
      return Map.of();
    }
    return vars;
  }

  /** {@code file}'s variables with the process environment over them (a variable set in both: the process's). */
  public static Map<String, String> under(Map<String, String> env, Path file) {
    Map<String, String> merged = read(file);
    merged.putAll(env);
    return merged;
  }
}
