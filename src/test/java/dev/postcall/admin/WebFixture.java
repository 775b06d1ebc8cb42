package dev.postcall.admin;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.work.RecordingPath;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real admin web on 127.0.0.1:0 over a fresh test database and a recordings directory. */
final class WebFixture implements AutoCloseable {
  static final String TOKEN = "s3cret-admin-token";
  final TestDb db = TestDb.create();
  final MutableClock clock = new MutableClock(Instant.now());
  final Seed seed = new Seed(db.ds(), clock);
  final Path recordings;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final List<ReadinessCheck> checks = new ArrayList<>();
  AdminWeb web;

  WebFixture(Path dir) throws Exception {
    recordings = Files.createDirectories(dir.resolve("monitor"));
  }

  AdminWeb start() throws Exception {
    PostcallConfig cfg = PostcallConfig.from(Settings.of(Map.of("web.port", "0", "web.admin-token", TOKEN, "web.ready-interval", "100ms",
        "recordings.dir", recordings.toString())));
    checks.add(0, new DatabaseCheck(db.ds()));
    web = new AdminWeb(cfg.web(), db.ds(), seed.queue(),
        new RecordingLocator(db.ds(), new RecordingPath(cfg.recordings().dir(), cfg.recordings().pattern()), cfg.archive().dir()),
        AdminWeb.statusMapping(cfg), registry, checks, clock);
    web.start();
    return web;
  }

  String base() {
    return "http://127.0.0.1:" + web.port();
  }

  /** A playable 8 kHz mono 16-bit WAV of {@code seconds} (a 440 Hz tone). */
  static byte[] wav(int seconds) {
    int rate = 8000;
    int samples = rate * seconds;
    ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes()).putInt(samples * 2);
    for (int i = 0; i < samples; i++) b.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate)));
    return b.array();
  }

  @Override
  public void close() throws Exception {
    if (web != null) web.close();
    db.close();
  }
}
