package dev.postcall.config;

import dev.postcall.config.PostcallConfig.Recordings.Folder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The recordings folder and pattern of each PBX that has its own. In the file: {@code
 * recordings.pbx.<pbx id>.dir} and {@code .pattern}, each overridden like every key by its variable
 * ({@code recordings.pbx.pbx-a.dir} ← {@code POSTCALL_RECORDINGS_PBX_PBX_A_DIR}). A PBX named only in
 * the environment is named the same way, by its id in upper case with '.' and '-' as '_': a variable
 * name cannot carry those, so such a folder serves every pbx id that reads the same (pbx-a, pbx.a).
 */
final class RecordingFolders {
  private static final String PREFIX = "recordings.pbx";
  private static final Pattern ENV_ID = Pattern.compile("[A-Z0-9][A-Z0-9_]{0,63}");

  /** {@code byId}: PBXs named in the file; {@code byEnvName}: those named only in the environment. */
  record Parsed(Map<String, Folder> byId, Map<String, Folder> byEnvName) {}

  private RecordingFolders() {}

  /** How a pbx id reads in a variable name. */
  static String envName(String pbxId) {
    return Settings.envWord(pbxId);
  }

  static Parsed from(Settings s, String defaultPattern) {
    Map<String, Folder> byId = fromFile(s, defaultPattern);
    Set<String> fileNames = new TreeSet<>();
    byId.keySet().forEach(id -> fileNames.add(envName(id)));
    return new Parsed(byId, fromEnvironment(s, defaultPattern, fileNames));
  }

  private static Map<String, Folder> fromFile(Settings s, String defaultPattern) {
    Set<String> ids = new TreeSet<>();
    for (String k : s.fileSection(PREFIX).keySet()) {
      int dot = k.lastIndexOf('.');
      String what = dot < 0 ? "" : k.substring(dot + 1);
      String id = dot < 0 ? k : k.substring(0, dot);
      if (!what.equals("dir") && !what.equals("pattern"))
        throw new ConfigException(PREFIX + "." + k, "expected recordings.pbx.<pbx id>.dir or .pattern");
      if (!PostcallConfig.Pbx.ID.matcher(id).matches())
        throw new ConfigException(PREFIX + "." + k, "'" + id + "' is no pbx id (letters, digits, '.', '_' and '-', at most 64)");
      ids.add(id);
    }
    Map<String, Folder> out = new TreeMap<>();
    for (String id : ids) {
      String key = PREFIX + "." + id;
      if (s.raw(key + ".dir") == null) throw new ConfigException(key + ".dir", "must be set when " + key + ".pattern is");
      out.put(id, new Folder(s.path(key + ".dir", null), pattern(key + ".pattern", s.string(key + ".pattern", defaultPattern))));
    }
    return out;
  }

  /** PBXs named only by variables; those of PBXs in the file are overrides, already read with the file's keys. */
  private static Map<String, Folder> fromEnvironment(Settings s, String defaultPattern, Set<String> fileNames) {
    String head = Settings.envName(PREFIX) + "_";
    Map<String, String> dirs = new TreeMap<>();
    Map<String, String> patterns = new TreeMap<>();
    s.envSection(PREFIX).forEach((k, v) -> {
      boolean dir = k.endsWith("_DIR");
      if (!dir && !k.endsWith("_PATTERN"))
        throw new ConfigException(head + k, "expected " + head + "<PBX ID>_DIR or _PATTERN");
      String name = k.substring(0, k.length() - (dir ? "_DIR" : "_PATTERN").length());
      if (fileNames.contains(name)) return;
      if (!ENV_ID.matcher(name).matches())
        throw new ConfigException(head + k, "'" + name + "' is no pbx id as a variable names it (the id in upper case,"
            + " '.' and '-' as '_': " + head + "PBX_A_DIR for pbx-a)");
      (dir ? dirs : patterns).put(name, v);
    });
    Map<String, Folder> out = new TreeMap<>();
    for (String name : patterns.keySet()) {
      if (!dirs.containsKey(name) || dirs.get(name).isEmpty())
        throw new ConfigException(head + name + "_DIR", "must be set when " + head + name + "_PATTERN is");
    }
    for (var e : dirs.entrySet()) {
      String dir = head + e.getKey() + "_DIR";
      if (e.getValue().isEmpty()) throw new ConfigException(dir, "must not be empty");
      Path path;
      try {
        path = Path.of(e.getValue());
      } catch (RuntimeException x) {
        throw new ConfigException(dir, "not a valid path: '" + e.getValue() + "'");
      }
      String p = patterns.get(e.getKey());
      out.put(e.getKey(), new Folder(path, pattern(head + e.getKey() + "_PATTERN", p == null || p.isEmpty() ? defaultPattern : p)));
    }
    return out;
  }

  static String pattern(String key, String pattern) {
    if (!pattern.contains("${uniqueid}")) throw new ConfigException(key, "must contain ${uniqueid}, got '" + pattern + "'");
    return pattern;
  }
}
