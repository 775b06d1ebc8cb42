package dev.postcall.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled binary is unpacked into postcall's own folder and replaced whenever it is not exactly the bundled one. */
class BundledFfmpegTest {
  @TempDir Path tmp;
  static final String BUNDLED = "#!/bin/sh\necho bundled-test-binary\n";

  @Test
  void unpacks_into_a_folder_only_its_user_can_write() throws Exception {
    Path dir = tmp.resolve("var/ffmpeg");
    Path bin = new BundledFfmpeg(dir, "ffmpeg-test").path();
    assertEquals(dir, bin.getParent());
    assertEquals(BUNDLED, Files.readString(bin));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bin)));
  }

  @Test
  void a_binary_planted_under_the_expected_name_is_replaced_before_use() throws Exception {
    BundledFfmpeg bundled = new BundledFfmpeg(tmp, "ffmpeg-test");
    Path bin = bundled.path();
    // planted after the start-up check, same size, other content
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(bin, BUNDLED.replace("bundled", "planted"));
    assertEquals(BUNDLED.length(), Files.size(bin));
    assertEquals(BUNDLED, Files.readString(bundled.path()), "checked again before use, and replaced");
  }

  @Test
  void a_binary_others_may_write_is_replaced_even_when_its_content_is_right() throws Exception {
    BundledFfmpeg bundled = new BundledFfmpeg(tmp, "ffmpeg-test");
    Path bin = bundled.path();
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path again = bundled.path();
    assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(again)));
  }

  @Test
  void a_symlink_in_place_of_the_binary_is_replaced_not_followed() throws Exception {
    Path elsewhere = Files.writeString(tmp.resolve("evil"), "#!/bin/sh\necho evil\n");
    Path dir = Files.createDirectories(tmp.resolve("ff"));
    BundledFfmpeg bundled = new BundledFfmpeg(dir, "ffmpeg-test");
    Path bin = bundled.path();
    Files.delete(bin);
    Files.createSymbolicLink(bin, elsewhere);
    Path used = bundled.path();
    assertFalse(Files.isSymbolicLink(used));
    assertEquals(BUNDLED, Files.readString(used));
    assertEquals("#!/bin/sh\necho evil\n", Files.readString(elsewhere), "the link's target is untouched");
  }

  @Test
  void a_folder_that_is_a_symlink_is_refused() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("real"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    PostcallException e = assertThrows(PostcallException.class, () -> new BundledFfmpeg(link, "ffmpeg-test").path());
    assertTrue(e.getMessage().contains("audio.ffmpeg-dir"), e.getMessage());
  }

  @Test
  void no_bundled_binary_for_the_platform_names_the_setting() {
    PostcallException e = assertThrows(PostcallException.class, () -> new BundledFfmpeg(tmp, "ffmpeg-no-such-arch"));
    assertTrue(e.getMessage().contains("audio.ffmpeg"), e.getMessage());
  }

  @Test
  void a_folder_of_another_user_is_refused() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
    Path dir = Files.createDirectories(tmp.resolve("theirs"));
    Files.setAttribute(dir, "unix:uid", 65534);
    PostcallException e = assertThrows(PostcallException.class, () -> new BundledFfmpeg(dir, "ffmpeg-test").path());
    assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
  }
}
