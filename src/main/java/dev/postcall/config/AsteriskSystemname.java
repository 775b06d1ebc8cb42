package dev.postcall.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code systemname} of Asterisk's {@code asterisk.conf} ({@code [options]}): the name Asterisk
 * puts in front of every uniqueid, so the one name that already tells this PBX's calls apart.
 */
public final class AsteriskSystemname {
  /** Debian's (and Asterisk's own) place for it. */
  public static final String DEFAULT_CONF = "/etc/asterisk/asterisk.conf";

  /** Either the {@code name} found, or null and the {@code problem} that says why there is none. */
  public record Lookup(String name, String problem) {
    static Lookup found(String name) {
      return new Lookup(name, null);
    }

    static Lookup none(String problem) {
      return new Lookup(null, problem);
    }
  }

  private AsteriskSystemname() {}

  public static Lookup read(Path conf) {
    String name = null;
    boolean inOptions = false;
    try (BufferedReader r = Files.newBufferedReader(conf, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        String s = withoutComment(line).strip();
        if (s.startsWith("[")) {
          int end = s.indexOf(']');
          // a template mark after the name ([options](+)) leaves it the same section
          inOptions = end > 0 && s.substring(1, end).strip().equalsIgnoreCase("options");
          continue;
        }
        int eq = s.indexOf('=');
        if (!inOptions || eq < 0) continue;
        if (!s.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("systemname")) continue;
        String value = s.substring(eq + 1);
        if (value.startsWith(">")) value = value.substring(1); // "key => value"
        name = value.strip(); // the last one wins, as in Asterisk
      }
    } catch (NoSuchFileException e) {
      return Lookup.none(conf + " does not exist");
    } catch (IOException e) {
      return Lookup.none("cannot read " + conf + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    if (name == null || name.isEmpty()) return Lookup.none(conf + " sets no systemname in [options]");
    return Lookup.found(name);
  }

  /** The line up to its ';' comment; Asterisk writes a literal semicolon as "\;". */
  private static String withoutComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ';' && (i == 0 || line.charAt(i - 1) != '\\')) return line.substring(0, i).replace("\\;", ";");
    }
    return line.replace("\\;", ";");
  }
}
