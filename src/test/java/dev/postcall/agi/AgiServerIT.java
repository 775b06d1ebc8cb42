package dev.postcall.agi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import dev.postcall.call.CallRecord;
import dev.postcall.work.RecordingPath;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bursts, duplicates, odd but normal Asterisk behaviour, and malformed sessions. */
class AgiServerIT {
  static final Transcript BUSY = Transcript.load(
      "/asterisk/transcripts/endbeforehexten-yes/20261122T222921_0010_hangup_1795386561.77.txt");

  @RegisterExtension final AgiFixture fx = AgiFixture.started(Map.of("agi.read-timeout", "500ms"));

  FakeAsterisk asterisk() {
    return new FakeAsterisk(fx.agi.localPort());
  }

  /** The call as stored (the writer commits after the session; a drain step waits for it). */
  CallRecord stored(String uid) throws Exception {
    fx.agi.drainOnce();
    return fx.store.find(uid).orElseThrow(() -> new AssertionError("no call " + uid));
  }

  void assertStillServing(String uid) throws Exception {
    asterisk().play(BUSY.withUniqueid(uid));
    assertEquals(uid, stored(uid).uniqueid(), "a normal session right after is stored");
  }

  @Test
  void burst_of_400_hangups_at_once_stores_exactly_400_calls_and_jobs() throws Exception {
    int n = 400;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<FakeAsterisk.Session>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Transcript t = BUSY.withUniqueid("1800000000." + i);
      done.add(pool.submit(() -> {
        go.await();
        return asterisk().play(t);
      }));
    }
    go.countDown();
    for (Future<FakeAsterisk.Session> f : done) assertEquals(1, f.get(30, TimeUnit.SECONDS).commands().size());
    pool.shutdown();
    // every session ended once its event was on disk; the writer commits them behind it
    assertEquals(n, fx.sessions("accepted"));
    assertEquals(0, fx.agi.drainOnce(), "the writer confirmed every line: nothing to re-insert");
    assertEquals(0, fx.agi.spoolSize());
    assertEquals(n, fx.db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(n, fx.db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals(n, fx.metrics.find("postcall.agi.session").timer().count());
    assertEquals(0.0, fx.metrics.find("postcall.agi.spool.events").gauge().value());
  }

  @Test
  void same_uniqueid_twice_is_one_call_and_one_job() throws Exception {
    asterisk().play(BUSY.withUniqueid("1.1"));
    asterisk().play(BUSY.withUniqueid("1.1"));
    fx.agi.drainOnce();
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals(2, fx.sessions("accepted"));
    assertTrue(fx.logs.has("call 1.1 was already stored — nothing added"), fx.logs.lines().toString());
  }

  @Test
  void key_value_arguments_give_uniqueid_and_recording_positional_ones_are_ignored() throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("agi_uniqueid", null);
    env.put("agi_arg_1", "UNIQUEID=12.1");
    env.put("agi_arg_2", "MIXMONITOR_FILENAME=/rec/from-arg.wav");
    env.put("agi_arg_3", "NO ANSWER"); // a stale CDR value passed positionally
    asterisk().play(BUSY.withUniqueid("12.1").withEnv(env)); // the channel's own linkedid comes with it
    CallRecord c = stored("12.1");
    assertEquals("/rec/from-arg.wav", c.recording());
    assertEquals("FAILED", c.disposition(), "read from the session, not from the arguments");
  }

  @Test
  void bare_hangup_line_before_the_answer_is_normal() throws Exception {
    new FakeAsterisk(fx.agi.localPort()).hangupLineFirst().play(BUSY.withUniqueid("2.1"));
    assertEquals("BUSY", stored("2.1").dialStatus());
  }

  @Test
  void dead_channel_refusing_the_query_still_stores_the_call_from_the_environment() throws Exception {
    new FakeAsterisk(fx.agi.localPort()).refuseGetFull().play(BUSY.withUniqueid("3.1"));
    CallRecord c = stored("3.1");
    assertEquals("Local/200@rig-00000026;2", c.channel());
    assertNull(c.dialStatus());
    assertTrue(fx.logs.has("refused GET FULL VARIABLE on the dead channel (511)"), fx.logs.lines().toString());
  }

  @Test
  void separators_quotes_parentheses_and_utf8_in_values_come_back_exactly() throws Exception {
    String userfield = "a|b \"c\" (d) ) % %41 + ü € 😀 ,;$";
    String name = "Zoë | \"Boss\" (Ω)";
    Transcript t = BUSY.withUniqueid("4.1").withEnv(Map.of("agi_calleridname", name))
        .withVariables(Map.of("CDR(userfield)", userfield, "MIXMONITOR_FILENAME", "/rec/a|b (1).wav"));
    asterisk().play(t);
    CallRecord c = stored("4.1");
    assertEquals(userfield, c.userfield());
    assertEquals(name, c.callerName());
    assertEquals("/rec/a|b (1).wav", c.recording());
    assertEquals("BUSY", c.dialStatus(), "the fields after the userfield are not shifted");
  }

  @Test
  void hostile_values_are_stored_with_a_warning_and_the_worker_refuses_the_recording() throws Exception {
    String longName = "X".repeat(10_000);
    Transcript t = BUSY.withUniqueid("5.1").withEnv(Map.of("agi_calleridname", longName + "\u0001"))
        .withVariables(Map.of("MIXMONITOR_FILENAME", "../../etc/passwd"));
    asterisk().play(t);
    CallRecord c = stored("5.1");
    assertEquals(255, c.callerName().length(), "clipped to the column, not refused");
    assertEquals("../../etc/passwd", c.recording());
    assertTrue(fx.logs.has("call 5.1: recording name '../../etc/passwd' climbs out"), fx.logs.lines().toString());
    assertTrue(fx.logs.has("call 5.1: caller name contains control characters"), fx.logs.lines().toString());
    PostcallException e = assertThrows(PostcallException.class,
        () -> new RecordingPath(fx.spool.resolve("rec"), "${uniqueid}.wav").resolve(c));
    assertTrue(e.getMessage().contains("outside the recordings root"), e.getMessage());
    assertStillServing("5.2");
  }

  @Test
  void line_of_100_kb_is_cut_logged_and_the_call_kept() throws Exception {
    Transcript t = BUSY.withUniqueid("6.1").withEnv(Map.of("agi_calleridname", "N".repeat(100_000)));
    asterisk().play(t);
    assertTrue(fx.logs.has("sent a line of 100018 bytes — kept the first 65536"), fx.logs.lines().toString());
    assertEquals(255, stored("6.1").callerName().length());
    assertStillServing("6.2");
  }

  @Test
  void session_without_uniqueid_is_closed_with_a_reason() throws Exception {
    FakeAsterisk.Session s = asterisk().play(BUSY.withEnv(java.util.Collections.singletonMap("agi_uniqueid", null)));
    assertTrue(s.closedByServer());
    fx.agi.drainOnce();
    assertEquals(0, fx.store.count());
    assertTrue(fx.logs.has("hangup without agi_uniqueid"), fx.logs.lines().toString());
    assertEquals(1, fx.sessions("no_uniqueid"));
    assertStillServing("7.1");
  }

  @Test
  void unknown_script_is_closed_with_a_reason() throws Exception {
    asterisk().play(BUSY.withUniqueid("8.1").withEnv(Map.of("agi_network_script", "bogus")));
    fx.agi.drainOnce();
    assertTrue(fx.store.find("8.1").isEmpty());
    assertTrue(fx.logs.has("asked for unknown script 'bogus' (uniqueid 8.1)"), fx.logs.lines().toString());
    assertStillServing("8.2");
  }

  @Test
  void garbage_is_closed_with_a_reason() throws Exception {
    byte[] junk = "GET / HTTP/1.1\r\nHost: x\r\n\u0000\u00ff\u00fe\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(rawSessionIsClosed(junk, true));
    assertTrue(fx.logs.has("sent no script name"), fx.logs.lines().toString());
    assertStillServing("9.1");
  }

  @Test
  void silent_client_is_closed_after_the_read_timeout() throws Exception {
    long t0 = System.nanoTime();
    assertTrue(rawSessionIsClosed(new byte[0], false));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 400 && ms < 3_000, "closed after the 500 ms read timeout, took " + ms + " ms");
    assertTrue(fx.logs.has("sent nothing for 500 ms (read timeout)"), fx.logs.lines().toString());
    assertStillServing("10.1");
  }

  /** Asterisk went away mid-session (half-open socket): the loop closes it after the read timeout and stores the call. */
  @Test
  void client_silent_after_its_environment_is_closed_after_the_read_timeout_and_the_call_kept() throws Exception {
    String env = String.join("\n", BUSY.withUniqueid("10.2").env) + "\n\n";
    long t0 = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", fx.agi.localPort())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(env.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      while (in.read() >= 0) { } // the GET FULL VARIABLE, never answered; then the server closes
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 400 && ms < 3_000, "closed after the 500 ms read timeout, took " + ms + " ms");
    assertTrue(fx.logs.has("sent nothing for 500 ms (read timeout)"), fx.logs.lines().toString());
    // The watchdog closes the socket first; the session then spools the call on its own thread.
    await("the call is kept with what the environment gave").atMost(Duration.ofSeconds(5))
        .until(() -> fx.agi.drainOnce() >= 0 && fx.store.find("10.2").isPresent());
    assertEquals(1, fx.sessions("timeout"));
    assertStillServing("10.3");
  }

  /** Idle connections must not keep real hangups out: they once took every session thread. */
  @Test
  void idle_connections_do_not_keep_a_real_session_out_and_are_closed_after_the_read_timeout() throws Exception {
    try (AgiService small = AgiHarness.start(fx.store, fx.spool.resolve("small"), Map.of("agi.read-timeout", "1500ms"), fx.metrics)) {
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 600; i++) idle.add(new Socket("127.0.0.1", small.localPort()));
        long t0 = System.nanoTime();
        new FakeAsterisk(small.localPort()).play(BUSY.withUniqueid("12.1"));
        small.drainOnce();
        // served beside them (how fast with 1,000 idle connections: scripts/bench agi)
        assertTrue(fx.store.find("12.1").isPresent(), "the real session was served while 600 idle connections wait");
        assertEquals(0, fx.sessions("over_limit"), "no connection was turned away");
        for (Socket s : idle) {
          s.setSoTimeout(5_000);
          assertEquals(-1, s.getInputStream().read(), "idle connection closed by the server");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 1_400, "idle connections closed after the read timeout, not before: " + ms + " ms");
        assertTrue(fx.sessions("timeout") >= 600, "each counted as a timeout");
      } finally {
        for (Socket s : idle) s.close();
      }
    }
  }

  /**
   * Issue 16 (slowloris): at the cap on open connections (file descriptors), the oldest connection
   * that has not sent its environment is closed to make room — a real session is served instead of
   * refused.
   */
  @Test
  void at_max_sessions_the_oldest_connection_without_an_environment_makes_room() throws Exception {
    try (AgiService small = AgiHarness.start(fx.store, fx.spool.resolve("capped"), Map.of("agi.max-sessions", "4"), fx.metrics)) {
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) idle.add(new Socket("127.0.0.1", small.localPort()));
        new FakeAsterisk(small.localPort()).play(BUSY.withUniqueid("13.1"));
        small.drainOnce();
        assertTrue(fx.store.find("13.1").isPresent(), "served, not refused");
        assertEquals(0, fx.sessions("over_limit"));
        assertEquals(1, fx.sessions("evicted"));
        idle.get(0).setSoTimeout(2_000);
        assertEquals(-1, idle.get(0).getInputStream().read(), "the oldest idle connection was the one closed");
        assertTrue(fx.logs.has("closed to make room: 4 sessions open (agi.max-sessions)"), fx.logs.lines().toString());
      } finally {
        for (Socket s : idle) s.close();
      }
    }
  }

  /** Only when every open connection is past its environment is a new one refused, logged and counted. */
  @Test
  void connections_beyond_max_sessions_are_refused_when_none_can_make_room() throws Exception {
    try (AgiService small = AgiHarness.start(fx.store, fx.spool.resolve("full"), Map.of("agi.max-sessions", "2"), fx.metrics)) {
      List<Socket> waiting = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket s = new Socket("127.0.0.1", small.localPort());
          waiting.add(s);
          s.setSoTimeout(3_000);
          s.getOutputStream().write((String.join("\n", BUSY.withUniqueid("14." + i).env) + "\n\n").getBytes(StandardCharsets.UTF_8));
          assertEquals('G', s.getInputStream().read(), "the query was sent: past its environment, never answered");
        }
        List<String> commands;
        try {
          commands = new FakeAsterisk(small.localPort()).play(BUSY.withUniqueid("14.9")).commands();
        } catch (java.io.IOException e) {
          commands = List.of(); // closed before its environment was read: a reset
        }
        assertEquals(List.of(), commands, "refused before any command");
        assertEquals(1, fx.sessions("over_limit"));
        assertEquals(0, fx.sessions("evicted"));
        assertTrue(fx.logs.has("refused: 2 sessions open (agi.max-sessions)"), fx.logs.lines().toString());
      } finally {
        for (Socket s : waiting) s.close();
      }
      await("served again once the others ended").atMost(Duration.ofSeconds(5)).until(() -> {
        new FakeAsterisk(small.localPort()).play(BUSY.withUniqueid("14.8"));
        small.drainOnce();
        return fx.store.find("14.8").isPresent();
      });
      assertTrue(fx.store.find("14.0").isPresent(), "the ones that waited kept their calls");
    }
  }

  /** Issue 16 (slowloris): a byte now and then resets the read timeout, but not the whole-session deadline. */
  @Test
  void a_client_dribbling_bytes_is_closed_at_the_session_deadline() throws Exception {
    try (AgiService strict = AgiHarness.start(fx.store, fx.spool.resolve("deadline"),
        Map.of("agi.read-timeout", "10s", "agi.session-deadline", "1s"), fx.metrics)) {
      long t0 = System.nanoTime();
      try (Socket s = new Socket("127.0.0.1", strict.localPort())) {
        s.setSoTimeout(200);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        boolean closed = false;
        for (int i = 0; i < 50 && !closed; i++) {
          try {
            out.write('a');
            out.flush();
            closed = in.read() < 0;
          } catch (java.net.SocketTimeoutException e) {
            // still open: dribble on
          } catch (java.io.IOException e) {
            closed = true; // reset
          }
        }
        assertTrue(closed, "closed by the server");
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 900 && ms < 3_000, "closed at the 1 s deadline although it never went 10 s silent: " + ms + " ms");
      assertEquals(1, fx.sessions("deadline"));
      assertTrue(fx.logs.has("had not sent its environment at the 1000 ms session deadline"), fx.logs.lines().toString());
    }
    assertStillServing("15.1");
  }

  /** Issue 16: a flood of refused connections is summed up, not one WARN line each. */
  @Test
  void refused_connections_are_logged_at_most_once_per_interval() throws Exception {
    try (AgiService strict = AgiHarness.start(fx.store, fx.spool.resolve("flood"), Map.of("agi.allow", "10.9.9.9"), fx.metrics)) {
      for (int i = 0; i < 300; i++) {
        try (Socket s = new Socket("127.0.0.1", strict.localPort())) {
          s.setSoTimeout(3_000);
          s.getInputStream().read();
        } catch (java.io.IOException e) {
          // reset: refused all the same
        }
      }
      assertEquals(300, fx.sessions("refused"), "each counted");
      long lines = fx.logs.lines().stream().filter(l -> l.contains("agi.allow")).count();
      assertEquals(1, lines, "one line now, the rest summed up at the end of the interval: " + lines);
    }
  }

  /**
   * Issue 16 (forged sessions): any local process connects from 127.0.0.1. With agi.secret set, only
   * sessions carrying it — as the URL parameter or the SECRET= argument — store a call; the others
   * are refused, counted, logged once, and store nothing. The secret never reaches the log.
   */
  @Test
  void with_agi_secret_only_sessions_carrying_it_store_a_call() throws Exception {
    String secret = "s3cr3t-of-the-dialplan_0123";
    try (AgiService locked = AgiHarness.start(fx.store, fx.spool.resolve("secret"), Map.of("agi.secret", secret), fx.metrics)) {
      FakeAsterisk asterisk = new FakeAsterisk(locked.localPort());
      assertEquals(List.of(), asterisk.play(BUSY.withUniqueid("16.1")).commands(), "no secret: closed before any command");
      Map<String, String> wrong = new java.util.HashMap<>();
      wrong.put("agi_arg_1", "SECRET=" + secret.substring(1));
      assertEquals(List.of(), asterisk.play(BUSY.withUniqueid("16.2").withEnv(wrong)).commands(), "a wrong secret");
      asterisk.play(BUSY.withUniqueid("16.3").withEnv(Map.of("agi_network_script", "hangup?secret=" + secret,
          "agi_request", "agi://127.0.0.1:4573/hangup?secret=" + secret)));
      asterisk.play(BUSY.withUniqueid("16.4").withEnv(Map.of("agi_arg_1", "SECRET=" + secret,
          "agi_arg_2", "MIXMONITOR_FILENAME=/rec/16.4.wav")));
      locked.drainOnce();
      assertTrue(fx.store.find("16.1").isEmpty() && fx.store.find("16.2").isEmpty(), "nothing stored without the secret");
      assertEquals("BUSY", fx.store.find("16.3").orElseThrow().dialStatus(), "the URL parameter form");
      assertEquals("/rec/16.4.wav", fx.store.find("16.4").orElseThrow().recording(), "the argument form");
      assertEquals(2, fx.sessions("no_secret"));
      assertEquals(1, fx.logs.lines().stream().filter(l -> l.contains("did not pass agi.secret")).count(),
          "the second refusal is counted for the summary, not logged: " + fx.logs.lines());
      assertTrue(fx.logs.lines().stream().noneMatch(l -> l.contains(secret.substring(1))), "the secret is never logged");
    }
  }

  @Test
  void client_not_in_the_allowlist_is_refused_and_logged() throws Exception {
    try (AgiService strict = AgiHarness.start(fx.store, fx.spool.resolve("strict"), Map.of("agi.allow", "10.9.9.9,192.168.0.0/16"), fx.metrics)) {
      try (Socket s = new Socket("127.0.0.1", strict.localPort())) {
        s.setSoTimeout(3_000);
        s.getOutputStream().write(String.join("\n", BUSY.withUniqueid("11.1").env).concat("\n\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(-1, s.getInputStream().read(), "closed without a command");
      }
      assertTrue(fx.logs.has("AGI client 127.0.0.1 is not in agi.allow — refused and closed"), fx.logs.lines().toString());
      assertTrue(fx.store.find("11.1").isEmpty());
    }
    assertStillServing("11.2");
  }

  /** Sends bytes (optionally half-closing) and reports whether the server then closed the socket. */
  boolean rawSessionIsClosed(byte[] bytes, boolean halfClose) throws Exception {
    try (Socket s = new Socket("127.0.0.1", fx.agi.localPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      if (halfClose) s.shutdownOutput();
      InputStream in = s.getInputStream();
      while (true) {
        int b = in.read();
        if (b < 0) return true;
      }
    }
  }
}
