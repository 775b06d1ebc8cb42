package dev.postcall.audio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import ws.schild.jave.process.ProcessLocator;
import ws.schild.jave.process.ProcessWrapper;
import ws.schild.jave.process.ffmpeg.DefaultFFMPEGLocator;
import ws.schild.jave.process.ffmpeg.FFMPEGProcess;

/**
 * JAVE's way to find and start ffmpeg, started under {@code nice -n <level>} so that encoding on the
 * PBX host never takes CPU from calls. JAVE builds the command line as {@code [path, args…]} and
 * passes it through {@code enhanceArguments}: prefixing {@code nice -n N} there is all it takes.
 */
final class NicedFfmpeg implements ProcessLocator {
  private final String path;
  private final int niceLevel;

  /** @param ffmpeg a configured binary, or null for the static ffmpeg bundled with JAVE */
  NicedFfmpeg(Path ffmpeg, int niceLevel) {
    this.path = ffmpeg != null ? ffmpeg.toString() : new DefaultFFMPEGLocator().getExecutablePath();
    this.niceLevel = niceLevel;
  }

  @Override
  public String getExecutablePath() {
    return path;
  }

  /** Whether the binary can be started: a path, or a bare name found on PATH. */
  boolean exists() {
    if (path.contains("/")) return Files.isExecutable(Path.of(path));
    String dirs = System.getenv("PATH");
    if (dirs == null) return false;
    for (String dir : dirs.split(":"))
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, path))) return true;
    return false;
  }

  @Override
  public ProcessWrapper createExecutor() {
    return new FFMPEGProcess(path) {
      @Override
      protected Stream<String> enhanceArguments(Stream<String> command) {
        Stream<String> withBanner = super.enhanceArguments(command);
        if (niceLevel == 0) return withBanner;
        return Stream.concat(Stream.of("nice", "-n", Integer.toString(niceLevel)), withBanner);
      }
    };
  }
}
