package dev.postcall.queue;

import java.time.Instant;

/**
 * One recording of a call ({@code call_recordings}): {@code seq} is its place in call order,
 * {@code name} the PBX's file name (as MIXMONITOR_FILENAME gives it or recordings.pattern makes it),
 * {@code startedAt} when its audio began (the file's last write minus its length), {@code mp3Path}
 * its conversion once made.
 */
public record CallRecording(int seq, String name, Instant startedAt, Long audioMs, String mp3Path) {
  public CallRecording converted(String mp3, long ms) {
    return new CallRecording(seq, name, startedAt, ms, mp3);
  }
}
