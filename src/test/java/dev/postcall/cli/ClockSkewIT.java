package dev.postcall.cli;

import dev.postcall.service.PostcallService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.postcall.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose clock is minutes off the database's does not start its workers or tailer. */
class ClockSkewIT {
  @TempDir Path dir;

  @Test
  void a_node_two_minutes_ahead_is_refused_with_one_line_naming_the_key() {
    try (TestDb db = TestDb.create()) {
      List<RuntimeException> fatal = new CopyOnWriteArrayList<>();
      var cfg = db.serviceConfig(dir, "http://127.0.0.1:9/none", Map.of("roles", "worker"));
      try (PostcallService s = new PostcallService(cfg, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2)), i -> null)) {
        s.onFatal(fatal::add);
        s.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !fatal.isEmpty());
        assertFalse(s.ready());
      }
      String line = fatal.get(0).getMessage();
      assertTrue(line.startsWith("db.max-clock-skew: this host's clock is 120.") && line.contains("ahead of the database's"),
          line);
      assertEquals(1, line.lines().count());
    }
  }
}
