package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import dev.postcall.call.CallRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingPathTest {
  @TempDir Path tmp;

  static CallRecord call(String uid, String recording) {
    return new CallRecord(uid, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        recording, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  @Test
  void uses_the_pattern_when_the_call_names_no_file() {
    RecordingPath r = new RecordingPath(tmp, "${uniqueid}.wav");
    assertEquals(tmp.resolve("1795386559.69.wav"), r.resolve(call("1795386559.69", null)));
  }

  @Test
  void accepts_an_absolute_mixmonitor_filename_inside_the_root() {
    RecordingPath r = new RecordingPath(tmp, "${uniqueid}.wav");
    Path inside = tmp.resolve("sub/a.wav");
    assertEquals(inside, r.resolve(call("1.2", inside.toString())));
  }

  @Test
  void refuses_paths_outside_the_root() {
    RecordingPath r = new RecordingPath(tmp.resolve("monitor"), "${uniqueid}.wav");
    for (String hostile : new String[] {"../../etc/passwd", "/etc/passwd", "a/../../x.wav", "..", "x\0.wav"}) {
      PostcallException e = assertThrows(PostcallException.class, () -> r.resolve(call("1.2", hostile)), hostile);
      assertFalse(e.retryable(), hostile);
      assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }
    assertThrows(PostcallException.class, () -> r.resolve(call("../../etc/passwd", null)));
  }

  @Test
  void refuses_a_symlink_that_leads_out_of_the_root() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("monitor"));
    Path secret = Files.writeString(tmp.resolve("secret.wav"), "x");
    Files.createSymbolicLink(root.resolve("1.2.wav"), secret);
    RecordingPath r = new RecordingPath(root, "${uniqueid}.wav");
    PostcallException e = assertThrows(PostcallException.class, () -> r.resolve(call("1.2", null)));
    assertTrue(e.getMessage().contains("links outside"), e.getMessage());
  }

  /** Found by RecordingPathFuzzTest: the symlink check only looked at files that already exist. */
  @Test
  void refuses_a_file_not_there_yet_under_a_symlinked_directory_that_leads_out() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("monitor"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("out-dir"), outside);
    RecordingPath r = new RecordingPath(root, "${uniqueid}.wav");
    PostcallException e = assertThrows(PostcallException.class, () -> r.resolve(call("1.2", "out-dir/1.2.wav")));
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("links outside"), e.getMessage());
    Files.createDirectories(root.resolve("in-dir"));
    assertEquals(root.resolve("in-dir/1.2.wav"), r.resolve(call("1.2", "in-dir/1.2.wav")), "not there yet, inside");
  }
}
