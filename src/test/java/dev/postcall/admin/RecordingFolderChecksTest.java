package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postcall.admin.Doctor.Finding;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doctor checks recordings.dir and every PBX's own recordings folder, on a real file system. */
class RecordingFolderChecksTest {
  @TempDir Path dir;
  Path readOnly;

  @AfterEach
  void writableAgain() throws Exception {
    if (readOnly != null && isRoot()) run("chattr", "-i", readOnly.toString());
  }

  /** A folder even root cannot write: immutable for root (who ignores modes), mode 555 for anyone else. */
  Path readOnlyFolder(String name) throws Exception {
    readOnly = Files.createDirectories(dir.resolve(name));
    if (isRoot()) assumeTrue(run("chattr", "+i", readOnly.toString()) == 0, "chattr +i not possible here");
    else Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    return readOnly;
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static int run(String... cmd) throws IOException, InterruptedException {
    return new ProcessBuilder(cmd).inheritIO().start().waitFor();
  }

  List<Finding> check(Map<String, String> file, Map<String, String> env) {
    return RecordingFolderChecks.of(PostcallConfig.from(new Settings(file, env)));
  }

  @Test
  void every_pbxs_folder_is_checked_and_a_broken_one_is_named_by_its_key() throws Exception {
    Path all = Files.createDirectories(dir.resolve("all"));
    Path a = Files.createDirectories(dir.resolve("a"));
    Path c = readOnlyFolder("c");
    Map<String, String> file = new HashMap<>(Map.of("recordings.dir", all.toString(),
        "recordings.pbx.pbx-a.dir", a.toString(), "recordings.pbx.pbx-b.dir", dir.resolve("b-not-mounted").toString()));
    List<Finding> found = check(file, Map.of("POSTCALL_RECORDINGS_PBX_PBX_C_DIR", c.toString()));
    assertEquals(List.of(
        new Finding("recordings " + all + " (every PBX without a folder of its own)", true, "readable and writable", null),
        new Finding("recordings of PBX_C " + c, false, "not writable, but archive.delete-wav=true deletes delivered WAVs",
            "give the asterisk group write access (chmod g+w; a mount read-write), or set archive.delete-wav=false"),
        new Finding("recordings of pbx-a " + a, true, "readable and writable", null),
        new Finding("recordings of pbx-b " + dir.resolve("b-not-mounted"), false, "not a directory",
            "set recordings.pbx.pbx-b.dir to that PBX's recordings folder (its mount on this host)")), found);
    Map<String, String> notDeleting = new HashMap<>(file);
    notDeleting.put("archive.delete-wav", "false");
    Finding pbxC = check(notDeleting, Map.of("POSTCALL_RECORDINGS_PBX_PBX_C_DIR", c.toString())).get(1);
    assertEquals(new Finding("recordings of PBX_C " + c, true, "readable", null), pbxC, "WAVs kept: reading is enough");
  }

  @Test
  void a_pbx_named_only_in_the_environment_is_told_to_fix_its_variable() {
    Finding f = check(Map.of("recordings.dir", dir.toString()),
        Map.of("POSTCALL_RECORDINGS_PBX_PBX_D_DIR", dir.resolve("gone").toString())).get(1);
    assertEquals("set POSTCALL_RECORDINGS_PBX_PBX_D_DIR to that PBX's recordings folder (its mount on this host)", f.fix());
  }

  @Test
  void a_single_folder_is_one_check_as_before() throws Exception {
    List<Finding> found = check(Map.of("recordings.dir", dir.toString()), Map.of());
    assertEquals(List.of(new Finding("recordings " + dir, true, "readable and writable", null)), found);
  }
}
