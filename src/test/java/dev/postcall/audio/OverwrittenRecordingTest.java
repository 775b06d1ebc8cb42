package dev.postcall.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import dev.postcall.TestSounds;
import dev.postcall.sim.WavWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic recordings in the shapes two MixMonitors on one file leave (docs/recordings.md: checked
 * on the real PBX), and genuine ones that must not be taken for them. Audio is 8 kHz 16-bit mono;
 * "speech" is noise with a varying envelope, which never repeats by itself.
 */
class OverwrittenRecordingTest {
  static final int RATE = 8000;
  @TempDir Path dir;

  /** Second MixMonitor 3 s into an 8 s call: its 5 s, then the first's last 3 s — those repeat the 3 s before. */
  @Test
  void second_recording_longer_than_the_first_part() throws IOException {
    short[] call = speech(8, 1);
    short[] file = concat(part(call, 3, 8), part(call, 5, 8));
    Optional<OverwrittenRecording.Finding> f = check(file);
    assertEquals(Optional.of(new OverwrittenRecording.Finding(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ZERO,
        OverwrittenRecording.Match.FRAMES, 1.0)), f);
  }

  /** Second 6 s into an 8 s call: its 2 s, a hole of zeros, the first's last 2 s — the end repeats the start. */
  @Test
  void second_recording_shorter_than_the_first_part_leaves_a_hole() throws IOException {
    short[] call = speech(8, 2);
    short[] file = concat(part(call, 6, 8), new short[4 * RATE], part(call, 6, 8));
    OverwrittenRecording.Finding f = check(file).orElseThrow();
    assertEquals(Duration.ofSeconds(6), f.lag());
    assertEquals(Duration.ofSeconds(2), f.repeated());
    assertEquals(Duration.ofSeconds(4), f.zeros());
  }

  /**
   * Where both directions carried audio the two MixMonitors' frames differ (each pairs the
   * directions a frame apart): every other half second of the repeat differs, as on the real PBX.
   */
  @Test
  void a_repeat_with_differing_frames_counts() throws IOException {
    short[] call = speech(6, 3);
    short[] second = part(call, 3, 6);
    short[] first = part(call, 3, 6);
    Random r = new Random(4);
    for (int s = 0; s < first.length; s += RATE) for (int i = s; i < Math.min(first.length, s + RATE / 2); i++) first[i] += (short) r.nextInt(200);
    assertEquals(Duration.ofSeconds(3), check(concat(second, first)).orElseThrow().lag());
  }

  /**
   * Both directions talking the whole time: the second MixMonitor mixed the far end 22 samples
   * later than the first (as on the real PBX), so no frame of the copies is identical — found on the
   * waveform, in both shapes.
   */
  @Test
  void copies_whose_directions_are_out_of_step_are_found_on_the_waveform() throws IOException {
    short[] caller = speech(8, 21), agent = speech(8, 22);
    short[] first = mix(caller, agent, 0), second = mix(caller, agent, 22);
    OverwrittenRecording.Finding longer = check(concat(part(second, 3, 8), part(first, 5, 8))).orElseThrow();
    assertEquals(OverwrittenRecording.Match.WAVEFORM, longer.match());
    assertEquals(3000, longer.lag().toMillis(), 5);
    assertEquals(Duration.ofSeconds(3), longer.repeated());
    assertTrue(longer.score() >= CorrelatedRepeat.LEAST_MEAN && longer.score() < 0.9, "correlation " + longer.score());

    short[] hole = new short[(int) (2.1 * RATE)];
    OverwrittenRecording.Finding shorter = check(concat(part(second, 6, 8), hole, part(first, 4.1, 8))).orElseThrow();
    assertEquals(OverwrittenRecording.Match.WAVEFORM, shorter.match());
    assertEquals(6000, shorter.lag().toMillis(), 5);
    assertEquals(Duration.ofSeconds(2), shorter.repeated());
    assertEquals(Duration.ofMillis(2100), shorter.zeros());
  }

  /**
   * The copies' alignment wanders: the far end 22 samples late for the first half of the second
   * MixMonitor's copy, a frame and 22 samples for the rest (seen with music on hold on the kit).
   */
  @Test
  void copies_whose_alignment_wanders_are_found_second_by_second() throws IOException {
    short[] caller = speech(12, 31), agent = speech(12, 32);
    short[] first = mix(caller, agent, 0), early = mix(caller, agent, 22), late = mix(caller, agent, 182);
    short[] second = concat(part(early, 5, 8.5), part(late, 8.5, 12));
    OverwrittenRecording.Finding f = check(concat(second, part(first, 7, 12))).orElseThrow();
    assertEquals(OverwrittenRecording.Match.WAVEFORM, f.match());
    assertEquals(5000, f.lag().toMillis(), 25);
  }

  /**
   * One second of the end repeating earlier audio (the same recorded prompt heard twice) over
   * otherwise different talk: a copy correlates every second, so this is not one.
   */
  @Test
  void one_repeated_second_under_different_talk_is_no_copy() throws IOException {
    short[] prompt = speech(1, 33), talk = speech(10, 34), far = speech(10, 35);
    for (int i = 0; i < far.length; i++) far[i] /= 4;
    // the last 2 s against the first 2: the second's prompt repeats, the other does not
    short[] a = concat(part(talk, 0, 1), prompt, part(talk, 2, 9), prompt);
    assertEquals(Optional.empty(), check(mix(a, far, 0)));
  }

  /** Both directions talking, one MixMonitor: nothing correlates. A minute, and with a tone on one side. */
  @Test
  void a_genuine_call_with_both_sides_talking_is_not_flagged() throws IOException {
    assertEquals(Optional.empty(), check(mix(speech(60, 23), speech(60, 24), 0)));
    short[] tone = new short[10 * RATE];
    for (int i = 0; i < tone.length; i++) tone[i] = (short) (i % RATE < RATE / 2 ? 3000 * Math.sin(2 * Math.PI * 440 * i / RATE) : 0);
    assertEquals(Optional.empty(), check(mix(tone, speech(10, 25), 0)));
  }

  /** A steady mix of two tones correlates with itself wherever it is compared: two seconds of it are no copy. */
  @Test
  void a_steady_tone_is_not_a_copy() throws IOException {
    short[] tones = new short[2 * RATE];
    for (int i = 0; i < tones.length; i++)
      tones[i] = (short) (3000 * Math.sin(2 * Math.PI * 440 * i / RATE) + 3000 * Math.sin(2 * Math.PI * 480 * i / RATE + 1));
    assertEquals(Optional.empty(), check(tones));
  }

  /**
   * A tone cadence of 1 s, 1.5 s long (the kit's scenario 102: the caller hangs up 2 s into the
   * callee's tones): its last half second equals the one a second earlier, byte for byte, and no
   * third play shows the period. The waveform shows it is a tone.
   */
  @Test
  void a_tone_played_twice_is_not_a_copy() throws IOException {
    short[] on = new short[RATE / 2];
    for (int i = 0; i < on.length; i++) on[i] = (short) (3000 * Math.sin(2 * Math.PI * 617.3 * i / RATE));
    assertEquals(Optional.empty(), check(concat(on, new short[RATE / 2], on)));
  }

  /**
   * An IVR menu played again after a pause, the call ending as it ends, the caller's phone sending
   * background noise all along: after talk, the repeat does not start where copies would meet (the
   * pause is there); without talk before it, the pause holds noise where a copy leaves zeros.
   */
  @Test
  void a_menu_played_again_after_talk_and_a_pause_is_not_a_copy() throws IOException {
    assertEquals(Optional.empty(), check(mix(concat(speech(8, 38), MENU, new short[RATE], MENU), QUIET, 0)));
  }

  @Test
  void a_menu_played_again_after_a_pause_is_not_a_copy() throws IOException {
    assertEquals(Optional.empty(), check(mix(concat(MENU, new short[3 * RATE], MENU), QUIET, 0)));
  }

  /**
   * A caller who says nothing and gives up in a queue: announcement, music, the announcement,
   * other music, the announcement again. Its last play equals the one before, frame for frame, but
   * where an overwrite's copies would meet the two stretches of music do not correlate.
   */
  @Test
  void a_queue_announcement_played_again_after_other_music_is_not_a_copy() throws IOException {
    short[] announcement = speech(2.68, 39);
    assertEquals(Optional.empty(), check(concat(announcement, speech(10, 40), announcement, speech(10, 41), announcement)));
  }

  static final short[] MENU = speech(6, 36), QUIET = speech(30, 37);

  static {
    for (int i = 0; i < QUIET.length; i++) QUIET[i] /= 20;
  }

  /** A 2 s sound played over and over under talk correlates at its period everywhere: not flagged. */
  @Test
  void a_loop_under_talk_is_not_flagged() throws IOException {
    assertEquals(Optional.empty(), check(mix(repeat(speech(2, 26), 5), speech(10, 27), 0)));
  }

  @Test
  void a_genuine_call_is_not_flagged() throws IOException {
    assertEquals(Optional.empty(), check(speech(60, 5)));
  }

  /** A muted phone sends exact zeros (4 s of them in a real call): silence is no repeat. */
  @Test
  void silence_in_the_middle_and_at_the_end_is_not_flagged() throws IOException {
    short[] talk = speech(6, 6);
    assertEquals(Optional.empty(), check(concat(part(talk, 0, 3), new short[4 * RATE], part(talk, 3, 6))));
    assertEquals(Optional.empty(), check(concat(part(talk, 0, 3), new short[4 * RATE], part(talk, 3, 6), new short[3 * RATE])));
    assertEquals(Optional.empty(), check(new short[10 * RATE]));
  }

  /**
   * Tones repeat at their period: neither a tone call nor one of exactly two periods is flagged —
   * as on the real PBX, a 0.6 s cadence against a 1 s one, 6 s: two equal halves that also repeat
   * within themselves.
   */
  @Test
  void audio_that_repeats_by_itself_is_not_flagged() throws IOException {
    short[] period = concat(speech(1, 7), new short[RATE / 5]);
    assertEquals(Optional.empty(), check(repeat(period, 10)));
    assertEquals(Optional.empty(), check(repeat(period, 3)));
    short[] caller = repeat(concat(speech(0.3, 12), new short[RATE * 3 / 10]), 10);
    short[] callee = repeat(concat(speech(0.5, 13), new short[RATE / 2]), 6);
    short[] mix = new short[6 * RATE];
    for (int i = 0; i < mix.length; i++) mix[i] = (short) (caller[i] + callee[i]);
    assertEquals(Optional.empty(), check(mix));
  }

  /**
   * One sound played exactly twice, repeating nowhere within itself, is what an overwrite with
   * equal parts leaves: flagged (docs/recordings.md lists it among the wrong flags).
   */
  @Test
  void one_sound_played_exactly_twice_cannot_be_told_from_an_overwrite() throws IOException {
    assertEquals(Duration.ofSeconds(3), check(repeat(speech(3, 8), 2)).orElseThrow().lag());
  }

  /** A repeat of less than half a second, or a file too short to hold one, says nothing. */
  @Test
  void short_files_and_short_repeats_are_not_flagged() throws IOException {
    short[] call = speech(8, 9);
    assertEquals(Optional.empty(), check(concat(part(call, 0, 7.6), part(call, 7.2, 7.6))));
    assertEquals(Optional.empty(), check(part(call, 0, 0.6)));
    assertEquals(Optional.empty(), check(new short[0]));
  }

  /** A file cut short mid-frame is read as far as it goes; a broken header is WavInfo's error. */
  @Test
  void a_truncated_file_is_read_as_far_as_it_goes_and_a_broken_header_fails_clearly() throws IOException {
    short[] call = speech(8, 10);
    short[] file = concat(part(call, 3, 8), part(call, 5, 8));
    byte[] whole = wav(file);
    Path cut = Files.write(dir.resolve("cut.wav"), Arrays.copyOf(whole, whole.length - 4321));
    assertEquals(Duration.ofSeconds(3), check(cut).orElseThrow().lag());
    Path broken = Files.write(dir.resolve("broken.wav"), Arrays.copyOf(whole, 30));
    PostcallException e = assertThrows(PostcallException.class, () -> check(broken));
    assertTrue(e.getMessage().contains("not a WAV"), e.getMessage());
  }

  /** Compressed audio (GSM) has no comparable 20 ms frames: not checked. */
  @Test
  void a_format_without_whole_frames_is_not_checked() throws IOException {
    byte[] w = wav(concat(part(speech(8, 11), 3, 8), part(speech(8, 11), 5, 8)));
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 49).putInt(28, 1625);
    assertEquals(Optional.empty(), check(Files.write(dir.resolve("gsm.wav"), w)));
  }

  private Optional<OverwrittenRecording.Finding> check(short[] samples) throws IOException {
    return check(Files.write(dir.resolve("rec.wav"), wav(samples)));
  }

  private static Optional<OverwrittenRecording.Finding> check(Path wav) throws IOException {
    try (FileChannel ch = FileChannel.open(wav)) {
      return OverwrittenRecording.check(ch, WavInfo.read(wav, ch));
    }
  }

  static byte[] wav(short[] samples) {
    return TestSounds.wav(samples);
  }


  /** Noise with an envelope that changes every 0.1 s: never equal to itself elsewhere. */
  static short[] speech(double seconds, long seed) {
    return TestSounds.speech(seconds, seed);
  }


  /** What a MixMonitor writes: both directions added, the second {@code lateBy} samples later. */
  static short[] mix(short[] a, short[] b, int lateBy) {
    short[] out = new short[Math.min(a.length, b.length)];
    for (int i = 0; i < out.length; i++) out[i] = (short) Math.max(-32768, Math.min(32767, a[i] + (i >= lateBy ? b[i - lateBy] : 0)));
    return out;
  }

  static short[] part(short[] a, double from, double to) {
    return Arrays.copyOfRange(a, (int) Math.round(from * RATE), (int) Math.round(to * RATE));
  }

  static short[] concat(short[]... parts) {
    int n = 0;
    for (short[] p : parts) n += p.length;
    short[] out = new short[n];
    int at = 0;
    for (short[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static short[] repeat(short[] a, int times) {
    short[][] parts = new short[times][];
    Arrays.fill(parts, a);
    return concat(parts);
  }
}
