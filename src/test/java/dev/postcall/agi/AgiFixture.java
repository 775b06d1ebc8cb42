package dev.postcall.agi;

import dev.postcall.TestDb;
import dev.postcall.queue.CallStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A FastAGI integration test's world, new for every test: a fresh database, a spool folder, the
 * metrics and the capture log, and — unless {@link #notStarted()} — the call store and the
 * {@link AgiService} on them, closed after the test. Register it as
 * {@code @RegisterExtension final AgiFixture fx = AgiFixture.started(Map.of(…));}.
 */
final class AgiFixture implements BeforeEachCallback, AfterEachCallback {
  private final Map<String, String> settings;
  private final Function<DataSource, CallStore> storeOn;
  private final boolean start;

  TestDb db;
  Path spool;
  CallStore store;
  AgiService agi;
  SimpleMeterRegistry metrics;
  LogCapture logs;

  private AgiFixture(Map<String, String> settings, Function<DataSource, CallStore> storeOn, boolean start) {
    this.settings = settings;
    this.storeOn = storeOn;
    this.start = start;
  }

  /** The service with {@code settings} (over {@link AgiHarness}'s) on a plain call store. */
  static AgiFixture started(Map<String, String> settings) {
    return started(settings, ds -> new CallStore(ds));
  }

  /** The service with {@code settings} on the call store {@code storeOn} makes of the test database. */
  static AgiFixture started(Map<String, String> settings, Function<DataSource, CallStore> storeOn) {
    return new AgiFixture(settings, storeOn, true);
  }

  /** Database, spool folder, metrics and log only: the test builds its store and starts services itself. */
  static AgiFixture notStarted() {
    return new AgiFixture(Map.of(), null, false);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    metrics = new SimpleMeterRegistry();
    logs = new LogCapture();
    spool = Files.createTempDirectory("agi-spool-");
    db = TestDb.create();
    if (!start) return;
    store = storeOn.apply(db.ds());
    agi = AgiHarness.start(store, spool, settings, metrics);
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try {
      if (agi != null) agi.close();
    } finally {
      agi = null;
      if (db != null) db.close();
      logs.close();
      deleteTree(spool);
    }
  }

  /** Sessions counted with this outcome ({@code accepted}, {@code timeout}, …). */
  double sessions(String outcome) {
    var c = metrics.find("postcall.agi.sessions").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) return;
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
