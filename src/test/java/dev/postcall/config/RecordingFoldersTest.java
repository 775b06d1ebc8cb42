package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postcall.CallBuilder;
import dev.postcall.config.PostcallConfig.Recordings.Folder;
import dev.postcall.work.RecordingPath;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** recordings.pbx.&lt;id&gt;.dir and .pattern from the environment, as every other key. */
class RecordingFoldersTest {
  static final Map<String, String> FILE = Map.of("recordings.dir", "/mnt/all", "recordings.pbx.pbx-a.dir", "/mnt/a");

  static PostcallConfig.Recordings recordings(Map<String, String> env) {
    return PostcallConfig.from(new Settings(FILE, env)).recordings();
  }

  @Test
  void a_variable_overrides_the_files_folder_by_the_keys_usual_name() {
    PostcallConfig.Recordings r = recordings(Map.of("POSTCALL_RECORDINGS_PBX_PBX_A_DIR", "/srv/a",
        "POSTCALL_RECORDINGS_PBX_PBX_A_PATTERN", "a-${uniqueid}.wav"));
    assertEquals(new Folder(Path.of("/srv/a"), "a-${uniqueid}.wav"), r.forPbx("pbx-a"));
    assertEquals(Map.of("pbx-a", new Folder(Path.of("/srv/a"), "a-${uniqueid}.wav")), r.ownFolders(), "one PBX, not two");
  }

  @Test
  void a_pbx_named_only_in_the_environment_is_found_by_its_id_in_upper_case_with_underscores() {
    PostcallConfig.Recordings r = recordings(Map.of("POSTCALL_RECORDINGS_PBX_PBX_B_PARIS_DIR", "/mnt/b",
        "POSTCALL_RECORDINGS_PBX_PBX_B_PARIS_PATTERN", "b-${uniqueid}.wav", "POSTCALL_RECORDINGS_PBX_PBX9_DIR", "/mnt/9"));
    assertEquals(new Folder(Path.of("/mnt/b"), "b-${uniqueid}.wav"), r.forPbx("pbx-b.paris"));
    assertEquals(new Folder(Path.of("/mnt/9"), "${uniqueid}.wav"), r.forPbx("pbx9"), "recordings.pattern by default");
    assertEquals(new Folder(Path.of("/mnt/a"), "${uniqueid}.wav"), r.forPbx("pbx-a"));
    assertEquals(new Folder(Path.of("/mnt/all"), "${uniqueid}.wav"), r.forPbx("pbx-c"), "no folder of its own");
    RecordingPath paths = RecordingPath.of(r);
    assertEquals(Path.of("/mnt/b/b-1795386561.77.wav"),
        paths.resolve(CallBuilder.agi("1795386561.77").pbx("pbx-b.paris").build()), "the worker reads it there");
    assertEquals(Path.of("/mnt/all/1795386561.77.wav"), paths.resolve(CallBuilder.agi("1795386561.77").pbx("pbx-c").build()));
  }

  @Test
  void wrong_variables_are_named_in_the_error() {
    assertMessage("POSTCALL_RECORDINGS_PBX_PBX_C_DIR: must be set when POSTCALL_RECORDINGS_PBX_PBX_C_PATTERN is",
        Map.of("POSTCALL_RECORDINGS_PBX_PBX_C_PATTERN", "${uniqueid}.wav"));
    assertMessage("POSTCALL_RECORDINGS_PBX_PBX_C_FOLDER: expected POSTCALL_RECORDINGS_PBX_<PBX ID>_DIR or _PATTERN",
        Map.of("POSTCALL_RECORDINGS_PBX_PBX_C_FOLDER", "/mnt/c"));
    assertMessage("POSTCALL_RECORDINGS_PBX_pbx_c_DIR: 'pbx_c' is no pbx id as a variable names it (the id in upper case,"
        + " '.' and '-' as '_': POSTCALL_RECORDINGS_PBX_PBX_A_DIR for pbx-a)", Map.of("POSTCALL_RECORDINGS_PBX_pbx_c_DIR", "/mnt/c"));
    assertMessage("POSTCALL_RECORDINGS_PBX_PBX_C_PATTERN: must contain ${uniqueid}, got 'c.wav'",
        Map.of("POSTCALL_RECORDINGS_PBX_PBX_C_DIR", "/mnt/c", "POSTCALL_RECORDINGS_PBX_PBX_C_PATTERN", "c.wav"));
  }

  private static void assertMessage(String expected, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> recordings(env));
    assertEquals(expected, e.getMessage());
  }
}
