package dev.postcall.agi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.queue.CallStore;
import dev.postcall.db.Database;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database goes away. Sessions end as fast as ever (they never wait for it), events
 * wait in the spool, the spool survives a restart, and once the database is back everything is
 * drained — nothing lost, nothing doubled.
 */
class SpoolIT {
  static final Transcript CALL = Transcript.load(
      "/asterisk/transcripts/endbeforehexten-yes/20261122T222922_0013_hangup_1795386559.69.txt");

  @RegisterExtension final AgiFixture fx = AgiFixture.notStarted();
  TcpProxy proxy;
  Database viaProxy;
  CallStore store;

  @BeforeEach
  void setUp() throws Exception {
    URI server = URI.create(TestDb.SERVER.substring("jdbc:".length()));
    proxy = new TcpProxy(server.getHost(), server.getPort());
    viaProxy = Database.open(TestDb.urlFor("jdbc:mysql://127.0.0.1:" + proxy.port() + "/", fx.db.name),
        TestDb.USER, TestDb.PASSWORD, 4, Duration.ofMillis(250));
    store = new CallStore(viaProxy.dataSource());
  }

  @AfterEach
  void tearDown() throws Exception {
    viaProxy.close();
    proxy.close();
  }

  long play(AgiService agi, String uid) throws Exception {
    FakeAsterisk.Session s = new FakeAsterisk(agi.localPort()).play(CALL.withUniqueid(uid));
    assertEquals(1, s.commands().size(), "one GET FULL VARIABLE, then postcall ends the session");
    return s.nanos() / 1_000_000;
  }

  @Test
  void database_down_sessions_do_not_wait_spool_survives_restart_and_drains_once() throws Exception {
    AgiService agi = AgiHarness.start(store, fx.spool, Map.of(), fx.metrics);
    play(agi, "20.0"); // the database works
    assertEquals(0, agi.drainOnce(), "the writer stored it; nothing to re-insert");
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(0, agi.spoolSize());

    proxy.cut();
    int n = 30;
    for (int i = 1; i <= n; i++) play(agi, "20." + i);
    // every session ended at the spool, none waited for the database (how fast: scripts/bench agi)
    assertEquals(n, agi.spoolSize());
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(0, agi.drainOnce(), "database still down: nothing drained, nothing lost");
    assertEquals(n, agi.spoolSize());
    assertEquals(n, agi.waitingForDatabase(), "what /ready reports");
    assertTrue(fx.logs.has("wait in the spool until it answers again"), fx.logs.lines().toString());
    assertEquals(n + 1, fx.sessions("accepted"));
    agi.close();

    // a crash mid-append left a torn line, and someone's editor left garbage: both kept aside
    Path file = fx.spool.resolve(Spool.ACTIVE);
    Files.writeString(file, "{\"v\":1,\"uniqueid\":\"torn", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);

    AgiService restarted = AgiHarness.start(store, fx.spool, Map.of(), fx.metrics);
    assertEquals(n + 1, restarted.spoolSize(), "the new instance reads the old spool (and the torn line)");
    play(restarted, "20.99"); // still down: appended after the torn line, not glued to it

    // one of the spooled calls made it to the database after all (a commit that beat the budget late)
    fx.db.exec("INSERT INTO calls (pbx_id, uniqueid, source, received_at) VALUES ('" + dev.postcall.config.PostcallConfig.Pbx.defaultId() + "', '20.5', 'AGI', NOW())");
    fx.db.exec("INSERT INTO jobs (call_id, state, stage, next_attempt_at, created_at, updated_at) "
        + "SELECT id, ?, ?, NOW(), NOW(), NOW() FROM calls WHERE uniqueid = '20.5'", JobState.PENDING, Stage.WAIT);

    proxy.restore();
    // the pool reconnects with its own backoff: retry the drain step until the database answers
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      restarted.drainOnce();
      return restarted.spoolSize() == 0;
    });
    assertEquals(n + 2, fx.db.count("SELECT COUNT(*) FROM calls"), "20.0, 20.1…20.30 and 20.99, each once");
    assertEquals(n + 2, fx.db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls WHERE uniqueid = '20.17' AND dial_status = 'ANSWER'"));
    assertTrue(Files.readString(fx.spool.resolve(Spool.REJECTED)).contains("torn"));
    assertTrue(fx.logs.has("is not a hangup event"), fx.logs.lines().toString());

    play(restarted, "20.100"); // healthy again
    restarted.drainOnce();
    assertEquals(0, restarted.spoolSize());
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls WHERE uniqueid = '20.100'"));
    restarted.close();
  }

  /**
   * The spool cannot be written (here: its file's name is taken by a directory — root ignores
   * permissions): each batch of sessions waits, at most the persist budget, for a direct commit;
   * with the database gone too, the call is logged whole so it can be replayed, and the session
   * still ends.
   */
  @Test
  void spool_not_writable_sessions_wait_for_a_direct_commit_and_with_no_database_the_event_is_logged() throws Exception {
    // a budget a loaded CI machine meets (the default 50 ms is what Asterisk should wait at most)
    AgiService agi = AgiHarness.start(store, fx.spool, Map.of("agi.persist-budget", "2s"), fx.metrics);
    try {
      Files.createDirectories(fx.spool.resolve(Spool.ACTIVE));
      int n = 20;
      ExecutorService pool = Executors.newFixedThreadPool(n);
      List<Future<Long>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String uid = "45." + i;
        done.add(pool.submit(() -> play(agi, uid)));
      }
      for (Future<Long> f : done) assertTrue(f.get(30, TimeUnit.SECONDS) < 5_000, "each session ended");
      pool.shutdown();
      assertEquals(n, fx.sessions("stored"), "all stored directly");
      assertEquals(n, fx.db.count("SELECT COUNT(*) FROM calls WHERE uniqueid LIKE '45.%'"));
      assertTrue(fx.logs.has("stored directly (spool " + fx.spool + " not writable"), fx.logs.lines().toString());

      play(agi, "45.0");
      assertEquals(1, fx.sessions("duplicate"), "a second hangup for a stored call adds nothing");

      proxy.cut();
      long ms = play(agi, "46.1");
      assertTrue(ms < 5_000, "the session still ends: " + ms + " ms");
      assertEquals(1, fx.sessions("not_stored"));
      assertTrue(fx.logs.has("call 46.1 LOST unless replayed from this line"), fx.logs.lines().toString());
      assertTrue(fx.logs.lines().stream().anyMatch(l -> l.contains("call 46.1 LOST") && l.contains("uniqueid=46.1")),
          "the line carries the whole event");
    } finally {
      agi.close();
    }
  }

  @Test
  void database_that_hangs_costs_sessions_nothing_and_a_late_commit_is_not_doubled() throws Exception {
    AgiService agi = AgiHarness.start(store, fx.spool, Map.of(), fx.metrics);
    play(agi, "30.0");
    agi.drainOnce();
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls"));

    proxy.stall();
    for (int i = 1; i <= 10; i++) play(agi, "30." + i);
    // every session ended at the spool while the writer hangs (how fast: scripts/bench agi)
    assertEquals(11, fx.sessions("accepted"), "on disk, on their way to the database");
    assertEquals(10, agi.spoolSize());
    assertTrue(fx.logs.has("call 30.1 received"), fx.logs.lines().toString());
    await().atMost(Duration.ofSeconds(5)).until(() -> agi.waitingForDatabase() == 10); // the writer is stuck

    proxy.restore(); // the stuck batch now commits late; the spool holds the same events
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      agi.drainOnce();
      return agi.spoolSize() == 0;
    });
    assertEquals(11, fx.db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(11, fx.db.count("SELECT COUNT(*) FROM jobs"));
    agi.close();
  }

  /**
   * The service listens before its migrations ran, so on a fresh database
   * the first hangups met "Table 'calls' doesn't exist" — taken for a refused event and moved to
   * spool.rejected (lost until a human replays it). A schema not in place is waited for.
   */
  @Test
  void hangups_before_the_schema_exists_wait_in_the_spool_until_it_does() throws Exception {
    String name = "pc_noschema" + Long.toHexString(System.nanoTime());
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(TestDb.urlFor(TestDb.SERVER, ""), TestDb.USER, TestDb.PASSWORD)) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    try (Database empty = Database.open(TestDb.urlFor(TestDb.SERVER, name), TestDb.USER, TestDb.PASSWORD, 2, Duration.ofSeconds(2));
        AgiService agi = AgiHarness.start(new CallStore(empty.dataSource()), fx.spool.resolve("fresh"), Map.of(), fx.metrics)) {
      CallStore fresh = new CallStore(empty.dataSource());
      play(agi, "13.1");
      agi.drainOnce();
      assertEquals(1, agi.spoolSize(), "still waiting in the spool");
      assertTrue(Files.notExists(fx.spool.resolve("fresh").resolve(Spool.REJECTED)), "not rejected");
      empty.migrate();
      agi.drainOnce();
      assertEquals(0, agi.spoolSize());
      assertTrue(fresh.find("13.1").isPresent(), "stored once the schema is there");
    } finally {
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(TestDb.urlFor(TestDb.SERVER, ""), TestDb.USER, TestDb.PASSWORD)) {
        c.createStatement().execute("DROP DATABASE IF EXISTS " + name);
      }
    }
  }

  /** A spool with its writer (started) and a drainer that sets the file aside at 5 lines. */
  private final class SizeRig {
    final Spool spool;
    final CallStore store = new CallStore(fx.db.ds());
    final CaptureWriter writer;
    final SpoolDrainer drainer;

    SizeRig(Path dir) throws Exception {
      spool = new Spool(dir, Clock.systemUTC());
      writer = new CaptureWriter(store, spool, Duration.ofMillis(50), 1);
      writer.start();
      drainer = new SpoolDrainer(spool, store, writer, 5);
    }
  }

  /** Under a steady stream some line is always in flight; the file is still emptied by size. */
  @Test
  void a_spool_that_is_never_found_all_confirmed_is_still_emptied_by_size() throws Exception {
    SizeRig rig = new SizeRig(fx.spool.resolve("steady"));
    Spool sp = rig.spool;
    CaptureWriter writer = rig.writer;
    SpoolDrainer drainer = rig.drainer;
    for (int i = 0; i < 8; i++) writer.captureAll(List.of(SpoolTest.call("40." + i)));
    sp.append(SpoolTest.call("40.8"), "in flight"); // a line the writer never confirms
    assertTrue(writer.awaitIdle(Duration.ofSeconds(5)));
    assertEquals(1, sp.size(), "eight confirmed, one not");

    assertEquals(0, drainer.drainOnce(false), "9 lines >= 5: set aside, the writer gets a step to confirm them");
    assertNotNull(sp.leftover());
    assertEquals(1, sp.size());
    assertEquals(9, drainer.drainOnce(false), "a line still unconfirmed a step later: the file is re-inserted");
    assertEquals(0, sp.size());
    assertNull(sp.leftover());
    assertTrue(Files.notExists(fx.spool.resolve("steady").resolve(Spool.ACTIVE))
        || Files.size(fx.spool.resolve("steady").resolve(Spool.ACTIVE)) == 0);
    assertEquals(9, fx.db.count("SELECT COUNT(*) FROM calls WHERE uniqueid LIKE '40.%'"));
    assertEquals(9, fx.db.count("SELECT COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id WHERE c.uniqueid LIKE '40.%'"));
    writer.close();
    sp.close();
  }

  /** The normal case under load: a file set aside by size is confirmed by the writer and deleted unread. */
  @Test
  void a_file_set_aside_by_size_is_deleted_unread_once_the_writer_confirmed_it() throws Exception {
    SizeRig rig = new SizeRig(fx.spool.resolve("aside"));
    Spool sp = rig.spool;
    CallStore direct = rig.store;
    CaptureWriter writer = rig.writer;
    SpoolDrainer drainer = rig.drainer;
    for (int i = 0; i < 6; i++) writer.captureAll(List.of(SpoolTest.call("41." + i)));
    long gen = sp.append(SpoolTest.call("41.6"), "in flight"); // the writer's batch still open, say
    assertTrue(writer.awaitIdle(Duration.ofSeconds(5)));
    assertEquals(0, drainer.drainOnce(false), "set aside");
    Path aside = sp.leftover();
    assertNotNull(aside);
    assertEquals(1, sp.size());
    // the in-flight line reaches the database and is confirmed for the file it was appended to
    assertTrue(direct.insertAll(List.of(SpoolTest.call("41.6"))).get(0));
    sp.committed(gen, 1);
    assertEquals(0, sp.size());

    try (LogCapture logs = new LogCapture()) {
      assertEquals(0, drainer.drainOnce(false), "nothing re-inserted");
      assertFalse(fx.logs.has("spool drained"), fx.logs.lines().toString());
    }
    assertTrue(Files.notExists(aside));
    assertEquals(7, fx.db.count("SELECT COUNT(*) FROM calls WHERE uniqueid LIKE '41.%'"));
    writer.close();
    sp.close();
  }
}
