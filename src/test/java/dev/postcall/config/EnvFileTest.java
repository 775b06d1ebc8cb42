package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileTest {
  @TempDir
  Path dir;

  @Test
  void reads_systemd_style_lines_and_the_process_environment_wins() throws Exception {
    Path f = dir.resolve("env");
    Files.writeString(f, """
        # secrets
        POSTCALL_DB_PASSWORD=s3cr=t
        ; another comment
        POSTCALL_INCIDENT_PASSWORD="with spaces"
        export POSTCALL_WEB_ADMIN_TOKEN='abc'
        not a line
        POSTCALL_DB_USER=from-file
        """);
    Map<String, String> m = EnvFile.under(Map.of("POSTCALL_DB_USER", "from-env"), f);
    assertEquals("s3cr=t", m.get("POSTCALL_DB_PASSWORD"));
    assertEquals("with spaces", m.get("POSTCALL_INCIDENT_PASSWORD"));
    assertEquals("abc", m.get("POSTCALL_WEB_ADMIN_TOKEN"));
    assertEquals("from-env", m.get("POSTCALL_DB_USER"));
    assertEquals(4, m.size(), m.toString());
  }

  @Test
  void a_missing_file_is_no_variables() {
    assertEquals(Map.of(), EnvFile.read(dir.resolve("none")));
    assertEquals(Map.of(), EnvFile.read(null));
  }
}
