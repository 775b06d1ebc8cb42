package dev.postcall.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw key/value settings from {@code postcall.properties}, with every key overridable by an
 * environment variable ({@code db.url} ← {@code POSTCALL_DB_URL}, {@code agi.read-timeout} ←
 * {@code POSTCALL_AGI_READ_TIMEOUT}). The typed getters throw {@link ConfigException} naming the key.
 */
public final class Settings {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final Map<String, String> file;
  private final Map<String, String> env;
  private final TreeSet<String> read = new TreeSet<>();

  public Settings(Map<String, String> file, Map<String, String> env) {
    this.file = Map.copyOf(file);
    this.env = Map.copyOf(env);
  }

  public static Settings load(Path propertiesFile, Map<String, String> env) {
    Properties p = new Properties();
    if (propertiesFile != null) {
      try (Reader r = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException("--config", "cannot read " + propertiesFile + " (" + e.getMessage() + ")");
      }
    }
    Map<String, String> values = new HashMap<>();
    p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
    return new Settings(values, env);
  }

  /** Settings from a plain map (tests, the demo): no environment overrides. */
  public static Settings of(Map<String, String> values) {
    return new Settings(values, Map.of());
  }

  public static String envName(String key) {
    return "POSTCALL_" + envWord(key);
  }

  /** How a key, or a part of one (a pbx id), reads in a variable's name: upper case, '.' and '-' as '_'. */
  public static String envWord(String s) {
    return s.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The raw value, env first, trimmed; null when unset or blank. */
  public String raw(String key) {
    read.add(key);
    String v = env.get(envName(key));
    if (v == null) v = file.get(key);
    if (v == null) return null;
    v = v.trim();
    return v.isEmpty() ? null : v;
  }

  public String string(String key, String dflt) {
    String v = raw(key);
    return v == null ? dflt : v;
  }

  public String required(String key) {
    String v = raw(key);
    if (v == null) throw new ConfigException(key, "is required but not set (or set " + envName(key) + ")");
    return v;
  }

  public int integer(String key, int dflt, int min, int max) {
    String v = raw(key);
    if (v == null) return dflt;
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "expected a whole number, got '" + v + "'");
    }
    if (n < min || n > max) throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + n);
    return n;
  }

  /** Sizes as bytes ({@code 1048576}) or with a binary unit: {@code 512k}, {@code 200M}, {@code 2G}. */
  public long bytes(String key, long dflt) {
    String v = raw(key);
    if (v == null) return dflt;
    Matcher m = Pattern.compile("(\\d{1,15})\\s*([kmgt]?)i?b?").matcher(v.toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new ConfigException(key, "expected a size such as 1048576, 512k, 200M or 2G, got '" + v + "'");
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    long n = Long.parseLong(m.group(1));
    if (n <= 0 || n > (Long.MAX_VALUE >> shift)) throw new ConfigException(key, "must be more than 0 and less than 8 EiB, got '" + v + "'");
    return n << shift;
  }

  public boolean bool(String key, boolean dflt) {
    String v = raw(key);
    if (v == null) return dflt;
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(key, "expected true or false, got '" + v + "'");
    };
  }

  /** Durations as {@code 50ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code PT10S}). */
  public Duration duration(String key, Duration dflt) {
    String v = raw(key);
    if (v == null) return dflt;
    Duration d = parseDuration(v);
    if (d == null) throw new ConfigException(key, "expected a duration such as 50ms, 10s, 2m, 1h, got '" + v + "'");
    if (d.isNegative()) throw new ConfigException(key, "must not be negative, got '" + v + "'");
    return d;
  }

  /** Parses a duration as in the configuration; null when it is not one. */
  public static Duration parseDuration(String v) {
    Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      return null;
    }
  }

  public Path path(String key, String dflt) {
    String v = string(key, dflt);
    try {
      return v == null ? null : Path.of(v);
    } catch (RuntimeException e) {
      throw new ConfigException(key, "not a valid path: '" + v + "'");
    }
  }

  public ZoneId zone(String key, ZoneId dflt) {
    String v = raw(key);
    if (v == null) return dflt;
    try {
      return ZoneId.of(v);
    } catch (RuntimeException e) {
      throw new ConfigException(key, "unknown time zone '" + v + "' (use e.g. UTC or Europe/Berlin)");
    }
  }

  /** A comma-separated list; empty list when unset. */
  public List<String> list(String key, String dflt) {
    String v = string(key, dflt);
    if (v == null) return List.of();
    List<String> out = new ArrayList<>();
    Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return List.copyOf(out);
  }

  /** Every key under {@code prefix.} (from the file and the environment), without the prefix. */
  public Map<String, String> section(String prefix) {
    Map<String, String> out = new HashMap<>();
    String p = prefix + ".";
    file.forEach((k, v) -> { if (k.startsWith(p)) out.put(k.substring(p.length()), v.trim()); });
    String envP = envName(prefix) + "_";
    env.forEach((k, v) -> { if (k.startsWith(envP)) out.put(k.substring(envP.length()), v.trim()); });
    out.keySet().forEach(k -> read.add(p + k));
    return out;
  }

  /** Keys under {@code prefix.} in the file only, without the prefix. */
  public Map<String, String> fileSection(String prefix) {
    Map<String, String> out = new HashMap<>();
    String p = prefix + ".";
    file.forEach((k, v) -> { if (k.startsWith(p)) out.put(k.substring(p.length()), v.trim()); });
    out.keySet().forEach(k -> read.add(p + k));
    return out;
  }

  /**
   * Environment variables under {@code prefix}'s variable name plus '_' ({@code recordings.pbx} →
   * {@code POSTCALL_RECORDINGS_PBX_}), by the rest of their name.
   */
  public Map<String, String> envSection(String prefix) {
    Map<String, String> out = new HashMap<>();
    String p = envName(prefix) + "_";
    env.forEach((k, v) -> { if (k.startsWith(p) && k.length() > p.length()) out.put(k.substring(p.length()), v.trim()); });
    return out;
  }

  /** Every key some part of the configuration asked for. */
  public java.util.Set<String> keysRead() {
    return java.util.Collections.unmodifiableSet(read);
  }

  /** Keys in the file that nothing asked for: almost always a typo. */
  public List<String> unknownKeys() {
    return file.keySet().stream().filter(k -> !read.contains(k)).sorted().toList();
  }
}
