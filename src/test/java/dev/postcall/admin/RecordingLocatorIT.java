package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.work.RecordingPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The player serves a jobs.mp3_path only under the archive folder: the database is not trusted with paths. */
class RecordingLocatorIT {
  @TempDir Path tmp;
  TestDb db;
  Seed seed;
  RecordingLocator locator;
  Path archive;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDb.create();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    seed = new Seed(db.ds(), clock);
    archive = Files.createDirectories(tmp.resolve("archive"));
    locator = new RecordingLocator(db.ds(), new RecordingPath(tmp.resolve("monitor"), "${uniqueid}.wav"), archive);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void an_mp3_under_the_archive_is_served() throws Exception {
    Path mp3 = Files.write(Files.createDirectories(archive.resolve("2026/12/06")).resolve("1.1.mp3"), new byte[] {1});
    seed.withMp3("1.1", mp3.toString());
    assertEquals(Optional.of(mp3), locator.find(dev.postcall.call.CallRef.parse("1.1")).map(RecordingLocator.Recording::file));
  }

  @Test
  void an_mp3_path_pointing_outside_the_archive_is_never_served() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.mp3"), "not a recording");
    seed.withMp3("2.2", secret.toString());
    assertTrue(locator.find(dev.postcall.call.CallRef.parse("2.2")).isEmpty());
    seed.withMp3("3.3", archive.resolve("../secret.mp3").toString());
    assertTrue(locator.find(dev.postcall.call.CallRef.parse("3.3")).isEmpty());
    Files.createSymbolicLink(archive.resolve("link.mp3"), secret);
    seed.withMp3("4.4", archive.resolve("link.mp3").toString());
    assertTrue(locator.find(dev.postcall.call.CallRef.parse("4.4")).isEmpty());
  }
}
