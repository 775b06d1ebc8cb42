package dev.postcall.agi;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.queue.CallStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

/** Builds an {@link AgiService} on 127.0.0.1, an ephemeral port and the given spool directory. */
final class AgiHarness {
  static PostcallConfig.Agi config(Path spoolDir, Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>();
    m.put("agi.bind", "127.0.0.1");
    m.put("agi.port", "0");
    m.put("agi.spool-dir", spoolDir.toString());
    m.put("agi.read-timeout", "2s");
    // tests call drainOnce() themselves instead of waiting for the loop
    m.put("agi.drain-interval", "1h");
    m.putAll(overrides);
    return PostcallConfig.from(Settings.of(m)).agi();
  }

  static AgiService start(CallStore store, Path spoolDir, Map<String, String> overrides, SimpleMeterRegistry reg)
      throws IOException {
    AgiService s = new AgiService(config(spoolDir, overrides), ZoneId.of("UTC"), store, Clock.systemUTC(), reg);
    s.start();
    return s;
  }

  private AgiHarness() {}
}
