package dev.postcall.work;

import dev.postcall.PostcallException;
import dev.postcall.call.CallRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import dev.postcall.config.PostcallConfig;

/**
 * Where a call's recording lives: the call's own recording value (MIXMONITOR_FILENAME) when it has
 * one, else the configured pattern ({@code ${uniqueid}.wav}) under the recordings root — of the
 * call's PBX: a PBX with its own folder ({@code recordings.pbx.<id>.dir}) is read there, so two
 * PBXs' calls with the same uniqueid and file name each get their own file. Refuses any
 * path that resolves outside the root — {@code ..}, absolute paths elsewhere, and symlinks pointing
 * out — because the name comes from the PBX's dialplan, and a worker deletes files it has uploaded.
 */
public final class RecordingPath {
  private static final Pattern SAFE_UNIQUEID = Pattern.compile("[A-Za-z0-9._-]{1,150}");

  private final Path root;
  private final String pattern;
  /** The path of a PBX with a folder of its own, null for the others. */
  private final Function<String, RecordingPath> byPbx;

  /** One folder for every PBX. */
  public RecordingPath(Path root, String pattern) {
    this(root, pattern, pbxId -> null);
  }

  private RecordingPath(Path root, String pattern, Function<String, RecordingPath> byPbx) {
    this.root = root.toAbsolutePath().normalize();
    this.pattern = pattern;
    this.byPbx = byPbx;
  }

  /** recordings.dir and .pattern, with the folders of the PBXs that have their own. */
  public static RecordingPath of(PostcallConfig.Recordings cfg) {
    Map<PostcallConfig.Recordings.Folder, RecordingPath> own = new HashMap<>();
    cfg.ownFolders().values().forEach(f -> own.put(f, new RecordingPath(f.dir(), f.pattern())));
    return new RecordingPath(cfg.dir(), cfg.pattern(), pbxId -> {
      PostcallConfig.Recordings.Folder f = cfg.own(pbxId);
      return f == null ? null : own.get(f);
    });
  }

  /** The default root (recordings.dir): the folder of every PBX without its own. */
  public Path root() {
    return root;
  }

  /** The recordings root of the call's PBX: nothing outside it is read or deleted for the call. */
  public Path rootOf(CallRecord call) {
    return of(call.pbxId()).root;
  }

  private RecordingPath of(String pbxId) {
    RecordingPath own = byPbx.apply(pbxId);
    return own != null ? own : this;
  }

  /** The recording's path, checked to be inside its PBX's root. Throws a non-retryable error otherwise. */
  public Path resolve(CallRecord call) {
    return of(call.pbxId()).inside(call.uniqueid(), name(call));
  }

  /** The name {@link #resolve} uses: MIXMONITOR_FILENAME, else the pattern's. */
  public String name(CallRecord call) {
    String name = call.recording();
    return name == null || name.isBlank() ? patternName(call) : name;
  }

  /** The caller's own recording by its PBX's recordings.pattern, whatever MIXMONITOR_FILENAME says. */
  public String patternName(CallRecord call) {
    String uniqueid = call.uniqueid();
    if (!SAFE_UNIQUEID.matcher(uniqueid).matches() || uniqueid.contains(".."))
      throw refused(uniqueid, "uniqueid '" + printable(uniqueid) + "' is not a safe file name");
    return of(call.pbxId()).pattern.replace("${uniqueid}", uniqueid);
  }

  /** Another recording name of the call (a stored one), checked like the call's own, in its PBX's root. */
  public Path resolve(CallRecord call, String name) {
    return of(call.pbxId()).inside(call.uniqueid(), name);
  }

  private Path inside(String uniqueid, String name) {
    if (name.indexOf('\0') >= 0) throw refused(uniqueid, "recording name contains a NUL byte");
    Path p;
    try {
      p = root.resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw refused(uniqueid, "recording name '" + printable(name) + "' is not a valid path");
    }
    if (!p.startsWith(root) || p.equals(root))
      throw refused(uniqueid, "recording '" + printable(name) + "' is outside the recordings root " + root);
    // A symlink inside the root may still point out of it; the real path decides. For a file not
    // there yet, the real path of its nearest existing directory does: a name under a symlinked
    // directory leading out is outside before the file appears, and the worker would wait there.
    try {
      Path existing = p;
      while (!Files.exists(existing) && !existing.equals(root)) existing = existing.getParent();
      if (!Files.exists(existing)) return p; // no root yet: nothing on disk can lead out
      Path real = existing.toRealPath();
      if (!real.startsWith(root.toRealPath()))
        throw refused(uniqueid, "recording '" + printable(name) + "' links outside the recordings root");
    } catch (IOException e) {
      throw new PostcallException("recording " + p + " of " + uniqueid + ": " + e.getMessage(), true, e);
    }
    return p;
  }

  private static PostcallException refused(String uniqueid, String why) {
    return new PostcallException("refused for " + printable(uniqueid) + ": " + why, false);
  }

  /** Log-safe: no control characters from hostile values reach a log line. */
  static String printable(String s) {
    String t = s.length() > 200 ? s.substring(0, 200) + "…" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
