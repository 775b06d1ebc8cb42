package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgiConfigTest {
  static String error(String key, String value) {
    ConfigException e = assertThrows(ConfigException.class, () -> PostcallConfig.from(Settings.of(Map.of(key, value))));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void bad_agi_values_name_the_key() {
    assertEquals("agi.read-timeout: expected a duration such as 50ms, 10s, 2m, 1h, got 'soon'", error("agi.read-timeout", "soon"));
    assertEquals("agi.read-timeout: must be more than 0 (0 would wait forever on a half-open socket)", error("agi.read-timeout", "0s"));
    assertEquals("agi.persist-budget: must be between 1ms and 5s (Asterisk waits for it), got 60000ms", error("agi.persist-budget", "1m"));
    assertEquals("agi.port: must be between 0 and 65535, got 70000", error("agi.port", "70000"));
    assertEquals("agi.allow: expected IP addresses or CIDR blocks, got 'pbx.example.com'", error("agi.allow", "127.0.0.1, pbx.example.com"));
    assertEquals("agi.bind: not an address: 'no such host.invalid'", error("agi.bind", "no such host.invalid"));
    assertEquals("agi.max-sessions: expected a whole number, got 'many'", error("agi.max-sessions", "many"));
    assertEquals("agi.max-threads: removed: sessions no longer take a thread each — use agi.max-sessions (open connections, default 2000)",
        error("agi.max-threads", "500"));
    assertEquals("agi.backlog: must be between 1 and 65535, got 0", error("agi.backlog", "0"));
    assertEquals("agi.session-deadline: must be between 100ms and 10m, got 50ms", error("agi.session-deadline", "50ms"));
    assertEquals("agi.secret: must be 16 to 256 characters from A-Z a-z 0-9 . _ ~ - (it travels in the dialplan's AGI URL "
        + "or argument), got 7 characters", error("agi.secret", "a,b&c%d"));
  }

  @Test
  void the_agi_secret_is_read_from_the_environment_and_never_shown() {
    PostcallConfig c = PostcallConfig.from(new Settings(Map.of(), Map.of("POSTCALL_AGI_SECRET", "env-secret-0123456789")));
    assertEquals("env-secret-0123456789", c.agi().secret());
    assertFalse(c.toString().contains("env-secret"), c.toString());
    assertFalse(error("agi.secret", "short-secret").contains("short-secret"), "not even a rejected one");
  }

  @Test
  void defaults() {
    PostcallConfig.Agi a = PostcallConfig.from(Settings.of(Map.of())).agi();
    assertEquals("127.0.0.1", a.bind().getHostAddress());
    assertEquals(4573, a.port());
    assertEquals(Duration.ofMillis(50), a.persistBudget());
    assertEquals(1024, a.backlog());
    assertEquals(Duration.ofSeconds(5), a.sessionDeadline());
    assertEquals(null, a.secret(), "no secret required unless configured");
  }
}
