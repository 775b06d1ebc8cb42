package dev.postcall.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import dev.postcall.audio.ConvertRecording.Mp3;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.sim.WavWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ws.schild.jave.MultimediaObject;
import ws.schild.jave.info.MultimediaInfo;

class ConvertRecordingIT {
  private static ConvertRecording converter;
  @TempDir Path dir;

  @BeforeAll
  static void bundledFfmpeg() {
    converter = new ConvertRecording(audio(Map.of()));
  }

  static PostcallConfig.Audio audio(Map<String, String> values) {
    return PostcallConfig.from(Settings.of(values)).audio();
  }

  @Test
  void tone_converts_to_an_mp3_as_long_as_the_wav() throws Exception {
    Path wav = WavWriter.tone(dir.resolve("1.1.wav"), Duration.ofSeconds(37), 8000, 440);

    Mp3 mp3 = converter.convert(wav, dir.resolve("1.1.mp3"));

    assertEquals(dir.resolve("1.1.mp3"), mp3.path());
    assertEquals(Files.size(mp3.path()), mp3.bytes());
    assertTrue(Math.abs(mp3.duration().toMillis() - 37_000) < 1_000, "mp3 lasts " + mp3.duration());
    // decoded independently by ffmpeg: an 8 kHz mono MP3 of the same length
    MultimediaInfo info = new MultimediaObject(mp3.path().toFile()).getInfo();
    assertEquals("mp3", info.getFormat());
    assertEquals(8000, info.getAudio().getSamplingRate());
    assertEquals(1, info.getAudio().getChannels());
    assertTrue(Math.abs(info.getDuration() - 37_000) < 1_000, "ffmpeg says " + info.getDuration() + " ms");
    // 32 kbit/s: ~4 kB per second
    assertTrue(mp3.bytes() > 37 * 3_500 && mp3.bytes() < 37 * 4_500, mp3.bytes() + " bytes");
    assertNoTempFiles();
  }

  @Test
  void asterisks_real_recording_converts() throws Exception {
    Path wav = copy("answered-101.wav");
    Mp3 mp3 = converter.convert(wav, dir.resolve("answered-101.mp3"));
    assertTrue(Math.abs(mp3.duration().toMillis() - WavInfo.read(wav).duration().toMillis()) < 1_000);
    assertTrue(mp3.bytes() > 0);
  }

  @Test
  void recording_whose_header_asterisk_never_finished_converts_in_full() throws Exception {
    Path wav = dir.resolve("open.wav");
    try (OutputStream out = Files.newOutputStream(wav)) {
      out.write(WavWriter.header(8000, 1, -1));
      WavWriter.writeTone(out, 8000 * 12, 8000, 300);
    }
    Mp3 mp3 = converter.convert(wav, dir.resolve("open.mp3"));
    assertTrue(Math.abs(mp3.duration().toMillis() - 12_000) < 1_000, "mp3 lasts " + mp3.duration());
  }

  @Test
  void existing_mp3_is_replaced_whole() throws Exception {
    Files.writeString(dir.resolve("2.mp3"), "left over from a crashed attempt");
    Path wav = WavWriter.tone(dir.resolve("2.wav"), Duration.ofSeconds(3), 8000, 440);
    Mp3 mp3 = converter.convert(wav, dir.resolve("2.mp3"));
    assertTrue(Math.abs(mp3.duration().toMillis() - 3_000) < 1_000);
  }

  @Test
  void empty_file_fails_for_good() throws IOException {
    Path wav = Files.createFile(dir.resolve("empty.wav"));
    assertPermanent(wav, "is not a WAV: the file is empty");
  }

  @Test
  void header_only_recording_fails_for_good() throws IOException {
    assertPermanent(copy("busy-200-empty.wav"), "has no audio (header only, 44 bytes)");
  }

  @Test
  void garbage_fails_for_good() throws IOException {
    Path wav = Files.writeString(dir.resolve("garbage.wav"), "this is not audio at all, just text ".repeat(50));
    assertPermanent(wav, "is not a WAV: no RIFF header");
  }

  @Test
  void truncated_recording_fails_for_good() throws IOException {
    Path wav = dir.resolve("cut.wav");
    try (OutputStream out = Files.newOutputStream(wav)) {
      out.write(WavWriter.header(8000, 1, 8000L * 2 * 60)); // promises 60 s
      WavWriter.writeTone(out, 8000 * 10, 8000, 440);        // holds 10 s
    }
    assertPermanent(wav, "is truncated");
  }

  @Test
  void header_cut_short_fails_for_good() throws IOException {
    Path wav = dir.resolve("short.wav");
    Files.write(wav, java.util.Arrays.copyOf(WavWriter.header(8000, 1, 1000), 30));
    assertPermanent(wav, "is not a WAV: fmt chunk cut short");
  }

  @Test
  void riff_with_undecodable_audio_fails_for_good() throws IOException {
    Path wav = dir.resolve("alien.wav");
    byte[] h = WavWriter.header(8000, 1, 16_000);
    h[20] = (byte) 0x39; // format tag 0x1339: no decoder knows it
    h[21] = (byte) 0x13;
    try (OutputStream out = Files.newOutputStream(wav)) {
      out.write(h);
      WavWriter.writeTone(out, 8000, 8000, 440);
    }
    PostcallException e = assertThrows(PostcallException.class, () -> converter.convert(wav, dir.resolve("alien.mp3")));
    assertFalse(e.retryable(), e.getMessage());
    assertTrue(e.getMessage().contains("alien.wav"), e.getMessage());
    assertNoTempFiles();
  }

  @Test
  void missing_ffmpeg_is_retryable() throws IOException {
    ConvertRecording broken = new ConvertRecording(audio(Map.of("audio.ffmpeg", dir.resolve("no-ffmpeg").toString())));
    Path wav = WavWriter.tone(dir.resolve("3.wav"), Duration.ofSeconds(2), 8000, 440);
    PostcallException e = assertThrows(PostcallException.class, () -> broken.convert(wav, dir.resolve("3.mp3")));
    assertTrue(e.retryable(), e.getMessage());
    assertTrue(e.getMessage().contains("ffmpeg"), e.getMessage());
    assertNoTempFiles();
  }

  @Test
  void ffmpeg_runs_at_the_configured_nice_level() throws Exception {
    // a wrapper that records its own niceness, then becomes the real ffmpeg
    Path wrapper = dir.resolve("ffmpeg-wrapper");
    Files.writeString(wrapper, "#!/bin/sh\nnice > \"" + dir.resolve("niceness") + "\"\nexec '"
        + converter.ffmpegPath() + "' \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> cfg = new HashMap<>(Map.of("audio.ffmpeg", wrapper.toString(), "audio.nice", "7"));
    Path wav = WavWriter.tone(dir.resolve("4.wav"), Duration.ofSeconds(2), 8000, 440);

    new ConvertRecording(audio(cfg)).convert(wav, dir.resolve("4.mp3"));

    int base = Integer.parseInt(new String(new ProcessBuilder("nice").start().getInputStream().readAllBytes()).trim());
    assertEquals(Math.min(19, base + 7), Integer.parseInt(Files.readString(dir.resolve("niceness")).trim()));
  }

  @Test
  void no_more_ffmpeg_processes_at_once_than_audio_conversions() throws Exception {
    // a wrapper that notes how many of its kind run when it starts (mkdir is atomic: one per slot)
    Path wrapper = dir.resolve("ffmpeg-counting");
    Path running = dir.resolve("running");
    Files.createDirectories(running);
    Files.writeString(wrapper, "#!/bin/sh\nd=\"" + running + "/$$\"; mkdir \"$d\"\nls \"" + running
        + "\" | wc -l >> \"" + dir.resolve("seen") + "\"\nsleep 0.2\n'" + converter.ffmpegPath()
        + "' \"$@\"; rc=$?\nrmdir \"$d\"\nexit $rc\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    ConvertRecording two = new ConvertRecording(audio(Map.of("audio.ffmpeg", wrapper.toString(), "audio.conversions", "2")));
    var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
    var done = new java.util.ArrayList<java.util.concurrent.Future<?>>();
    for (int i = 0; i < 6; i++) {
      Path wav = WavWriter.tone(dir.resolve("slot" + i + ".wav"), Duration.ofSeconds(2), 8000, 440);
      done.add(pool.submit(() -> two.convert(wav, dir.resolve(wav.getFileName() + ".mp3"))));
    }
    for (var f : done) f.get();
    pool.shutdown();
    java.util.List<Integer> seen = Files.readAllLines(dir.resolve("seen")).stream().map(String::trim).map(Integer::parseInt).toList();
    assertTrue(seen.size() >= 6, "the wrapper ran for every conversion: " + seen);
    assertTrue(seen.stream().allMatch(n -> n <= 2), "never more than two at once: " + seen);
    assertTrue(seen.contains(2), "but two did run side by side: " + seen);
  }

  @Test
  void a_binary_planted_in_the_shared_temp_folder_never_runs() throws Exception {
    // JAVE2 itself reuses ${java.io.tmpdir}/jave/ffmpeg-amd64-<version> whoever put it there
    Path marker = dir.resolve("planted-ran");
    Path jave = Files.createDirectories(dir.resolve("tmp/jave"));
    for (String name : new String[] {"ffmpeg-amd64-4.2.0", "ffmpeg-amd64-3.5.0", "ffmpeg-amd64"}) {
      Path planted = jave.resolve(name);
      Files.writeString(planted, "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
      Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    String before = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", dir.resolve("tmp").toString());
    try {
      ConvertRecording c = new ConvertRecording(audio(Map.of("audio.ffmpeg-dir", dir.resolve("var/ffmpeg").toString())));
      assertTrue(c.ffmpegPath().startsWith(dir.resolve("var/ffmpeg").toString()), c.ffmpegPath());
      Path wav = WavWriter.tone(dir.resolve("p.wav"), Duration.ofSeconds(2), 8000, 440);
      Mp3 mp3 = c.convert(wav, dir.resolve("p.mp3"));
      assertTrue(mp3.bytes() > 0);
      assertFalse(Files.exists(marker), "the planted binary ran");
    } finally {
      System.setProperty("java.io.tmpdir", before);
    }
  }

  @Test
  void a_playlist_renamed_over_the_wav_after_the_header_check_is_never_read() throws Exception {
    Path wav = WavWriter.tone(dir.resolve("5.wav"), Duration.ofSeconds(2), 8000, 440);
    Path other = WavWriter.tone(dir.resolve("elsewhere.wav"), Duration.ofSeconds(7), 8000, 440);
    Path playlist = Files.writeString(dir.resolve("playlist"), "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:7,\nfile://"
        + other + "\n#EXT-X-ENDLIST\n");
    try (var in = Files.newByteChannel(wav, java.nio.file.StandardOpenOption.READ)) {
      WavInfo info = WavInfo.read(wav, in);
      Files.move(playlist, wav, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Mp3 mp3 = converter.convert(wav, in, info, dir.resolve("5.mp3"));
      assertTrue(Math.abs(mp3.duration().toMillis() - 2_000) < 300, "the 2 s it checked, not the playlist's 7 s: " + mp3.duration());
    }
  }

  @Test
  void a_wav_header_over_a_playlist_is_decoded_as_wav_only() throws Exception {
    // ffmpeg would guess HLS from content; the format is forced and only the pipe is allowed
    Path other = WavWriter.tone(dir.resolve("elsewhere.wav"), Duration.ofSeconds(7), 8000, 440);
    byte[] body = ("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:7,\nfile://" + other + "\n#EXT-X-ENDLIST\n").repeat(100)
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Path wav = dir.resolve("6.wav");
    try (OutputStream out = Files.newOutputStream(wav)) {
      out.write(WavWriter.header(8000, 1, body.length));
      out.write(body);
    }
    Mp3 mp3 = converter.convert(wav, dir.resolve("6.mp3"));
    assertTrue(mp3.duration().toMillis() < 1_500, "the playlist's bytes as 16-bit PCM, not its target: " + mp3.duration());
  }

  @Test
  void ffmpeg_is_killed_past_its_deadline_and_the_failure_is_retryable() throws Exception {
    Path hang = dir.resolve("ffmpeg-hang");
    Path pidFile = dir.resolve("hang.pid");
    Files.writeString(hang, "#!/bin/sh\necho $$ > '" + pidFile + "'\nexec sleep 600\n");
    Files.setPosixFilePermissions(hang, PosixFilePermissions.fromString("rwx------"));
    ConvertRecording slow = new ConvertRecording(audio(Map.of("audio.ffmpeg", hang.toString(), "audio.nice", "0")),
        Duration.ofMillis(500));
    Path wav = WavWriter.tone(dir.resolve("7.wav"), Duration.ofSeconds(2), 8000, 440);
    long t0 = System.nanoTime();
    PostcallException e = assertThrows(PostcallException.class, () -> slow.convert(wav, dir.resolve("7.mp3")));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(e.retryable(), e.getMessage());
    assertTrue(e.getMessage().contains("ffmpeg killed"), e.getMessage());
    assertTrue(ms < 5_000, "gave up after " + ms + " ms");
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "ffmpeg still runs");
    assertFalse(Files.exists(dir.resolve("7.mp3")));
    assertNoTempFiles();
  }

  @Test
  void a_second_conversion_of_the_same_call_does_not_start_while_one_runs() throws Exception {
    Path slowFfmpeg = dir.resolve("ffmpeg-slow");
    Files.writeString(slowFfmpeg, "#!/bin/sh\nsleep 1\nexec '" + converter.ffmpegPath() + "' \"$@\"\n");
    Files.setPosixFilePermissions(slowFfmpeg, PosixFilePermissions.fromString("rwx------"));
    ConvertRecording c = new ConvertRecording(audio(Map.of("audio.ffmpeg", slowFfmpeg.toString(), "audio.conversions", "4")));
    Path wav = WavWriter.tone(dir.resolve("8.wav"), Duration.ofSeconds(2), 8000, 440);
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return c.convert(wav, dir.resolve("8.mp3"));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);
    PostcallException e = assertThrows(PostcallException.class, () -> c.convert(wav, dir.resolve("8.mp3")));
    assertTrue(e.getMessage().contains("already running"), e.getMessage());
    assertTrue(first.get().bytes() > 0, "the first one finishes with its own temporary file");
    assertNoTempFiles();
  }

  private void assertPermanent(Path wav, String reason) {
    Path mp3 = dir.resolve(wav.getFileName() + ".mp3");
    PostcallException e = assertThrows(PostcallException.class, () -> converter.convert(wav, mp3));
    assertFalse(e.retryable(), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().contains(wav.getFileName().toString()), e.getMessage());
    assertFalse(Files.exists(mp3));
    assertNoTempFiles();
  }

  private void assertNoTempFiles() {
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.toString().endsWith(".tmp")).count());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Path copy(String resource) throws IOException {
    Path target = dir.resolve(resource);
    try (InputStream in = getClass().getResourceAsStream("/audio/" + resource)) {
      Files.copy(in, target);
    }
    return target;
  }
}
