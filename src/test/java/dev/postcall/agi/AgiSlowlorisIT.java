package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slowloris on the FastAGI port: more slow connections than {@code agi.max-sessions}, each sending a
 * byte well within the read timeout, reconnecting whenever the server closes one — while real
 * Asterisk sessions (the recorded transcripts) hang up. Every real session must be served and
 * stored. (Before the session deadline and the eviction at the limit, every real hangup of such a
 * run was refused as over_limit.) Latency under attack is measured by AgiBench, not here.
 */
class AgiSlowlorisIT {
  static final int MAX_SESSIONS = 200;

  @RegisterExtension final AgiFixture fx = AgiFixture.started(Map.of("agi.max-sessions", String.valueOf(MAX_SESSIONS),
      "agi.read-timeout", "10s", "agi.session-deadline", "2s"));

  @Test
  void real_hangups_are_all_stored_while_slow_clients_hold_more_than_the_limit() throws Exception {
    List<Transcript> real = new ArrayList<>();
    for (String dir : List.of("endbeforehexten-yes", "endbeforehexten-no", "args-race", "probe-variants"))
      for (Transcript t : HangupTranscriptsIT.transcripts(dir)) real.add(t.withEnv(Map.of("agi_network_script", "hangup")));
    assertTrue(real.size() >= 30, "the recorded transcripts: " + real.size());
    List<String> uids = new ArrayList<>();
    ExecutorService asterisk = Executors.newFixedThreadPool(4);
    try (SlowClients slow = SlowClients.dripping(fx.agi.localPort(), 2 * MAX_SESSIONS, 500)) {
      Thread.sleep(300); // the pool holds every slot before the first real hangup
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // past the deadline: slow ones are cut and come back
      List<Future<FakeAsterisk.Session>> done = new ArrayList<>();
      for (int round = 0; System.nanoTime() < until; round++) {
        for (Transcript t : real) {
          String uid = "1900000000." + round + "." + uids.size();
          uids.add(uid);
          Transcript call = t.withUniqueid(uid);
          done.add(asterisk.submit(() -> new FakeAsterisk(fx.agi.localPort()).play(call)));
        }
        for (Future<FakeAsterisk.Session> f : done) f.get(30, TimeUnit.SECONDS);
        done.clear();
      }
      assertTrue(slow.closedByServer() > 2 * MAX_SESSIONS, "the pool kept reconnecting: " + slow.closedByServer());
      long warnings = fx.logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("AGI client")).count();
      assertTrue(warnings <= 3, "evictions and deadline closes are summed up, not logged one by one: " + warnings);
    } finally {
      asterisk.shutdownNow();
    }
    // every accepted hangup is in the spool; on a loaded host the writer may need more than one drain
    List<String> missing = new ArrayList<>(uids);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
      fx.agi.drainOnce();
      for (var it = missing.iterator(); it.hasNext(); ) if (fx.store.find(it.next()).isPresent()) it.remove();
      return missing.isEmpty();
    });
    assertEquals(List.of(), missing, "every real hangup stored (of " + uids.size() + ")");
    assertEquals(uids.size(), fx.sessions("accepted"));
    assertTrue(fx.sessions("evicted") > 0, "room was made by closing slow connections");
  }
}
