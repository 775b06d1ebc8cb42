package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Swaps between the check and the use (the pentest's attacks): what was opened is what is read and deleted. */
class OpenRecordingTest {
  @TempDir Path tmp;
  Path root;
  Path outside;
  Path secret;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("monitor"));
    outside = Files.createDirectories(tmp.resolve("etc"));
    secret = Files.writeString(outside.resolve("1.1.wav"), "the secret outside the recordings folder");
  }

  @Test
  void a_symlink_at_the_name_is_refused_and_not_read() throws Exception {
    Path wav = Files.createSymbolicLink(root.resolve("1.1.wav"), secret);
    PostcallException e = assertThrows(PostcallException.class, () -> OpenRecording.open(root, wav));
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("symlink"), e.getMessage());
  }

  @Test
  void a_file_under_a_symlinked_folder_is_refused() throws Exception {
    Files.createSymbolicLink(root.resolve("sub"), outside);
    PostcallException e = assertThrows(PostcallException.class, () -> OpenRecording.open(root, root.resolve("sub/1.1.wav")));
    assertTrue(e.getMessage().contains("symlink"), e.getMessage());
  }

  @Test
  void a_symlink_swapped_in_after_the_open_is_neither_read_nor_deleted() throws Exception {
    Path wav = Files.write(root.resolve("1.1.wav"), WaitForRecordingTest.closedWav(100));
    try (OpenRecording rec = OpenRecording.open(root, wav)) {
      Path link = Files.createSymbolicLink(root.resolve("swap"), secret);
      Files.move(link, wav, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      ByteBuffer b = ByteBuffer.allocate(144);
      rec.channel().position(0);
      while (b.hasRemaining() && rec.channel().read(b) > 0) { /* read all */ }
      assertArrayEquals(WaitForRecordingTest.closedWav(100), b.array(), "reads the file it opened");
      assertFalse(rec.deleteIfUnchanged(), "the name points elsewhere now");
    }
    assertTrue(Files.isSymbolicLink(root.resolve("1.1.wav")));
    assertTrue(Files.exists(secret));
  }

  @Test
  void a_regular_file_renamed_over_the_name_after_the_open_is_not_deleted() throws Exception {
    Path wav = Files.write(root.resolve("1.1.wav"), WaitForRecordingTest.closedWav(100));
    try (OpenRecording rec = OpenRecording.open(root, wav)) {
      Path other = Files.writeString(root.resolve("other"), "#EXTM3U\n");
      Files.move(other, wav, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      assertFalse(rec.deleteIfUnchanged());
    }
    assertEquals("#EXTM3U\n", Files.readString(root.resolve("1.1.wav")));
  }

  @Test
  void a_folder_swapped_for_a_symlink_after_the_open_deletes_nothing_outside() throws Exception {
    Path sub = Files.createDirectories(root.resolve("sub"));
    Path wav = Files.write(sub.resolve("1.1.wav"), WaitForRecordingTest.closedWav(100));
    try (OpenRecording rec = OpenRecording.open(root, wav)) {
      // the renameat2-exchange attack, done in two renames
      Files.move(sub, root.resolve("sub.old"), StandardCopyOption.ATOMIC_MOVE);
      Files.createSymbolicLink(root.resolve("sub"), outside);
      assertTrue(rec.deleteIfUnchanged(), "deletes the file it opened, in the folder it opened");
    }
    assertTrue(Files.exists(secret), "nothing outside the recordings folder is deleted");
    assertFalse(Files.exists(root.resolve("sub.old/1.1.wav")));
  }

  @Test
  void the_file_it_opened_is_deleted_when_the_name_still_points_at_it() throws Exception {
    Path wav = Files.write(root.resolve("1.1.wav"), WaitForRecordingTest.closedWav(100));
    try (OpenRecording rec = OpenRecording.open(root, wav)) {
      assertEquals(144, rec.size());
      assertTrue(rec.deleteIfUnchanged());
    }
    assertFalse(Files.exists(wav));
  }

  @Test
  void after_a_restart_only_a_regular_file_not_written_since_the_upload_is_deleted() throws Exception {
    Path wav = Files.write(root.resolve("1.1.wav"), WaitForRecordingTest.closedWav(100));
    Instant uploaded = Files.getLastModifiedTime(wav).toInstant().minusSeconds(1);
    assertFalse(OpenRecording.deleteIfNotModifiedAfter(root, wav, uploaded), "written after the upload: not ours");
    assertTrue(OpenRecording.deleteIfNotModifiedAfter(root, wav, uploaded.plusSeconds(5)));
    Path link = Files.createSymbolicLink(root.resolve("2.2.wav"), secret);
    assertFalse(OpenRecording.deleteIfNotModifiedAfter(root, link, Instant.now().plusSeconds(60)));
    assertTrue(Files.exists(secret));
    assertTrue(Files.isSymbolicLink(link));
  }
}
