package dev.postcall.audio;

import dev.postcall.config.PostcallConfig;
import java.nio.file.Path;
import java.time.Duration;

/** PLACEHOLDER until the incident/audio branch lands (same API). */
public class ConvertRecording {
  public record Mp3(Path path, Duration duration, long bytes) {}

  public ConvertRecording(PostcallConfig.Audio cfg) {}

  public Mp3 convert(Path wav, Path mp3) {
    throw new UnsupportedOperationException("placeholder");
  }
}
