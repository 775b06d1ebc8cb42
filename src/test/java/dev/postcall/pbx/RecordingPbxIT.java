package dev.postcall.pbx;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postcall.TestDb;
import dev.postcall.audio.WavInfo;
import dev.postcall.queue.JobState;
import dev.postcall.sim.IncidentServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recordings on a real Asterisk 22 with postcall running as {@code nobody}, so that it cannot see
 * Asterisk's open files in /proc, and an {@code h} extension that goes on for 3 s after the AGI
 * line (Asterisk closes the WAV only when h ends): no MP3 is cut short and no WAV deleted before
 * Asterisk closed it. An answered call that was never recorded is delivered without a file.
 *
 * <p>The test hard-links every WAV as it appears, so it can measure the file as Asterisk finished
 * it even after postcall deleted its name (a name deleted early leaves the inode growing).
 */
class RecordingPbxIT {
  static Path tmp;
  static TestDb db;
  static IncidentServer server;
  static UnprivilegedPostcall postcall;
  static Pbx pbx;
  static Path keep;
  static final Map<String, Path> kept = new ConcurrentHashMap<>();
  static volatile boolean watching = true;
  static Thread watcher;

  @BeforeAll
  static void start() throws Exception {
    PbxKit.launcherOrSkip();
    assumeTrue("root".equals(System.getProperty("user.name")), "real-PBX recording tests need root (setpriv to nobody)");
    tmp = Files.createTempDirectory("pbx-RecordingPbxIT-");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    keep = Files.createDirectories(tmp.resolve("kept"));
    Path home = Files.createDirectories(tmp.resolve("home"));
    db = TestDb.create();
    server = IncidentServer.onLoopback(tmp.resolve("incidents"), "postcall", "pw");
    int agiPort = dev.postcall.FreePorts.next();
    Path dialplan = tmp.resolve("recordings-test.conf");
    Files.writeString(dialplan, resource("pbx/recordings-test.conf").replace("@POSTCALL_DIALPLAN@",
        PbxKit.projectDialplan().toString()), StandardCharsets.UTF_8);
    pbx = Pbx.up(tmp.resolve("pbx"), agiPort, dialplan, null);
    // Asterisk (root) writes 0644 WAVs; postcall's user may delete them, as in an asterisk group setup
    Files.setAttribute(pbx.recordings(), "unix:uid", UnprivilegedPostcall.NOBODY);
    watcher = new Thread(RecordingPbxIT::keepWavs, "keep-wavs");
    watcher.setDaemon(true);
    watcher.start();
    Map<String, String> m = new HashMap<>(Map.of(
        "db.url", db.url, "db.user", TestDb.USER, "db.password", TestDb.PASSWORD, "roles", "agi,worker",
        "agi.port", Integer.toString(agiPort), "agi.spool-dir", home.resolve("spool").toString(),
        "recordings.dir", pbx.recordings().toString(), "archive.dir", home.resolve("archive").toString(),
        "incident.url", server.url(), "incident.password", "pw"));
    m.putAll(Map.of("worker.poll-interval", "100ms", "recordings.missing-wait", "5s",
        "recordings.open-wait", "2s", "audio.ffmpeg-dir", home.resolve("var/ffmpeg").toString()));
    postcall = new UnprivilegedPostcall(home, agiPort);
    postcall.start(m);
    assertEquals(UnprivilegedPostcall.NOBODY, postcall.uid(), "postcall runs as nobody");
  }

  @AfterAll
  static void stop() throws Exception {
    watching = false;
    List<AutoCloseable> all = new ArrayList<>();
    for (AutoCloseable c : new AutoCloseable[] {pbx, postcall, server, db}) if (c != null) all.add(c);
    Exception first = null;
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) first = e;
      }
    }
    if (tmp != null && !Boolean.getBoolean("pbx.keep")) {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
    if (first != null) throw first;
  }

  /** Hard-links each WAV the moment it appears: the inode outlives postcall's delete. */
  static void keepWavs() {
    while (watching) {
      try (Stream<Path> s = Files.list(pbx.recordings())) {
        for (Path wav : s.filter(p -> p.toString().endsWith(".wav")).toList()) {
          String uid = wav.getFileName().toString().replace(".wav", "");
          if (kept.containsKey(uid)) continue;
          Path link = keep.resolve(wav.getFileName());
          try {
            Files.createLink(link, wav);
            kept.put(uid, link);
          } catch (IOException e) {
            // deleted meanwhile (postcall was faster than 20 ms): the test will notice the missing copy
          }
        }
      } catch (IOException e) {
        // the folder is being set up
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Test
  void h_that_goes_on_after_the_agi_line_no_mp3_cut_short_no_wav_deleted_early() throws Exception {
    List<String> scenarios = List.of("100", "101", "101", "102", "101", "100", "121");
    Set<String> before = Set.copyOf(server.objects().stream().map(o -> o.first("uniqueid")).toList());
    for (String sc : scenarios) pbx.call(sc, "pc-hlong");
    pbx.idle(Duration.ofSeconds(120));
    // every call of this test delivered once, with its recording
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
        server.objects().stream().filter(o -> !before.contains(o.first("uniqueid"))).count() >= scenarios.size()
            && db.count("SELECT COUNT(*) FROM jobs WHERE state NOT IN (?, ?)", JobState.DONE, JobState.FAILED) == 0);
    List<IncidentServer.StoredObject> objects = server.objects().stream()
        .filter(o -> !before.contains(o.first("uniqueid"))).toList();
    assertEquals(scenarios.size(), objects.size(), "one object per call");
    assertEquals(0, db.count("SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.FAILED), postcall.logText());
    StringBuilder report = new StringBuilder();
    for (IncidentServer.StoredObject o : objects) {
      String uid = o.first("uniqueid");
      List<IncidentServer.StoredFile> files = server.files(o.objectref());
      assertEquals(1, files.size(), uid + " has its recording");
      Path wav = kept.get(uid);
      assertTrue(wav != null, uid + ": the test saw the WAV");
      Duration wavLength = WavInfo.read(wav).duration();
      Duration mp3Length = Duration.ofMillis(new ws.schild.jave.MultimediaObject(files.get(0).path().toFile()).getInfo().getDuration());
      report.append(String.format("%s wav %.2f s mp3 %.2f s%n", uid, wavLength.toMillis() / 1e3, mp3Length.toMillis() / 1e3));
      assertTrue(WavInfo.read(wav).closed(), uid + ": Asterisk closed the WAV");
      assertTrue(wavLength.toMillis() >= 1_000, uid + ": the WAV holds the call's audio: " + wavLength);
      assertTrue(Math.abs(mp3Length.toMillis() - wavLength.toMillis()) <= 300,
          uid + ": MP3 " + mp3Length + " vs the WAV as Asterisk finished it " + wavLength + "\n" + report);
      assertFalse(Files.exists(pbx.recordings().resolve(uid + ".wav")), uid + ": WAV deleted after delivery");
    }
    assertFalse(postcall.logText().contains("holds no audio"), "no recording taken for empty");
    System.out.print(report);
  }

  @Test
  void answered_call_without_a_recording_is_delivered_without_a_file() throws Exception {
    Set<String> before = Set.copyOf(server.objects().stream().map(o -> o.first("uniqueid")).toList());
    pbx.originate("150", "pc-norec", 5);
    pbx.idle(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        server.objects().stream().anyMatch(o -> !before.contains(o.first("uniqueid"))));
    IncidentServer.StoredObject o = server.objects().stream().filter(x -> !before.contains(x.first("uniqueid")))
        .findFirst().orElseThrow();
    String uid = o.first("uniqueid");
    await().atMost(Duration.ofSeconds(10)).until(() -> db.state(uid) == JobState.DONE);
    assertEquals("answered", o.first("status"));
    assertTrue(server.files(o.objectref()).isEmpty(), "no file attached");
    String log = postcall.logText();
    assertTrue(log.contains(uid + " - answered, but no recording appeared"), log);
    assertTrue(log.contains(uid + " - delivered as " + o.objectref() + " WITHOUT a recording"), log);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RecordingPbxIT.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
