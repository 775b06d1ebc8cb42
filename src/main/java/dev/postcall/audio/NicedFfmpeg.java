package dev.postcall.audio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ffmpeg command line: a configured binary, or JAVE2's bundled one unpacked and checked by
 * {@link BundledFfmpeg}, started under {@code nice -n <level>} so that encoding on the PBX host
 * never takes CPU from calls.
 */
final class NicedFfmpeg {
  private final Path configured;
  private final BundledFfmpeg bundled;
  private final int niceLevel;

  /**
   * @param ffmpeg a configured binary, or null for the static ffmpeg bundled with JAVE2
   * @param bundledDir where the bundled binary is unpacked (postcall's own folder)
   */
  NicedFfmpeg(Path ffmpeg, Path bundledDir, int niceLevel) {
    this.configured = ffmpeg;
    this.bundled = ffmpeg == null ? new BundledFfmpeg(bundledDir) : null;
    this.niceLevel = niceLevel;
    if (bundled != null) bundled.path(); // unpack and check at start-up, not on the first call
  }

  /** The binary conversions run; the bundled one is checked again each time. */
  String executable() {
    return configured != null ? configured.toString() : bundled.path().toString();
  }

  /** Whether the binary can be started: a path, or a bare name found on PATH. */
  boolean exists() {
    String path = configured != null ? configured.toString() : bundled.path().toString();
    if (path.contains("/")) return Files.isExecutable(Path.of(path));
    String dirs = System.getenv("PATH");
    if (dirs == null) return false;
    for (String dir : dirs.split(":"))
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, path))) return true;
    return false;
  }

  List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (niceLevel != 0) cmd.addAll(List.of("nice", "-n", Integer.toString(niceLevel)));
    cmd.add(executable());
    cmd.addAll(args);
    return cmd;
  }
}
