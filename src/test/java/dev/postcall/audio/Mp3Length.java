package dev.postcall.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The length of an MP3 from its frame headers, for harnesses outside this package. */
public final class Mp3Length {
  private Mp3Length() {}

  public static Duration of(Path mp3) throws IOException {
    return Mp3Frames.duration(mp3);
  }
}
