package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.fuzz.Fuzz;
import dev.postcall.queue.CallStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target, whole sessions: mutated real transcripts ({@link AgiSessions}) played over
 * real sockets, eight at a time, against an {@link AgiService} on 127.0.0.1:0 with a real MariaDB.
 * Some clients close their side when done, some go silent. Properties: every session is closed by
 * the server, a silent one within the read timeout; a session that handed the hangup script its
 * uniqueid is stored (or logged as NOT stored with the reason, or as a callee leg); a session that
 * stored nothing and is no callee leg has a warning naming its client; and after every batch the server still serves a clean session.
 * Full size is {@code fuzz.inputs / 50} sessions (2,000 for 100,000).
 */
class AgiSessionFuzzIT {
  private static final int READ_TIMEOUT_MS = 500;
  /** Slack over the read timeout for a loaded 2-core CI machine. */
  private static final int CLOSE_SLACK_MS = 2_500;
  private static final int PARALLEL = 8;

  @TempDir Path spool;

  /** What one session looked like from the client's side. */
  private record Played(int localPort, boolean closedByServer, long closeMillis, boolean stalled) {}

  @Test
  void mutated_sessions_over_real_sockets_are_stored_or_refused_with_a_reason() throws Exception {
    Fuzz fuzz = Fuzz.startScaled("agi-sessions-socket", 150, 50);
    AgiSessions gen = new AgiSessions();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (TestDb db = TestDb.create(); LogCapture logs = new LogCapture();
        AutoCloseable q1 = Fuzz.quiet("dev.postcall.agi"); AutoCloseable q2 = Fuzz.quiet("org.asteriskjava")) {
      CallStore store = new CallStore(db.ds());
      AgiService agi = AgiHarness.start(store, spool, Map.of("agi.read-timeout", READ_TIMEOUT_MS + "ms"), metrics);
      ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
      try {
        List<AgiSessions.Session> sessions = new ArrayList<>();
        List<Future<Played>> played = new ArrayList<>();
        List<Integer> inputOf = new ArrayList<>();
        int clean = 0;
        for (int i = 0; i < fuzz.inputs(); i++) {
          if (!fuzz.runs(i)) continue;
          Random r = fuzz.random(i);
          AgiSessions.Session s = gen.generate(r, "1796" + (100000 + r.nextInt(900000)) + "." + i);
          boolean stall = r.nextInt(6) == 0;
          sessions.add(s);
          inputOf.add(i);
          played.add(pool.submit(() -> play(agi.localPort(), s, stall)));
          fuzz.ran();
          if (played.size() % 50 == 0) cleanSessionIsServed(agi, store, fuzz.seed() + "." + clean++);
        }
        List<Played> results = new ArrayList<>();
        for (int k = 0; k < played.size(); k++) {
          int n = k;
          fuzz.check(inputOf.get(k), sessions.get(k).kind(), () -> results.add(played.get(n).get()));
        }
        agi.drainOnce();
        List<String> lines = logs.lines();
        for (int k = 0; k < sessions.size(); k++) {
          AgiSessions.Session s = sessions.get(k);
          Played p = results.get(k);
          fuzz.check(inputOf.get(k), s.kind() + " " + new String(s.env(), StandardCharsets.ISO_8859_1), () -> {
            assertTrue(p.closedByServer(), "the server closed the session");
            if (p.stalled()) assertTrue(p.closeMillis() <= READ_TIMEOUT_MS + CLOSE_SLACK_MS,
                "a silent client was closed " + p.closeMillis() + " ms after its last byte");
            boolean stored = store.find(s.uniqueid()).isPresent();
            String effective = effectiveUniqueid(s.env());
            if (!stored && effective != null) stored = store.find(effective).isPresent();
            if (s.carries()) {
              // a mutated linkedid can make the session a callee leg: deliberately not stored, with that reason
              assertTrue(stored || lines.stream().anyMatch(l -> l.contains(s.uniqueid())
                      && (l.contains("NOT stored") || l.contains("is a callee leg of call"))),
                  "uniqueid " + s.uniqueid() + " neither stored nor refused with a reason");
            }
            boolean leg = lines.stream().anyMatch(l -> l.contains(s.uniqueid()) && l.contains("is a callee leg of call"));
            if (!stored && !leg) { // a callee leg is an ordinary outcome (INFO), not a client to warn about
              fuzz.rejected();
              String peer = "127.0.0.1:" + p.localPort();
              assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN") && l.contains(peer)),
                  "a session that stored nothing has a warning naming " + peer);
            }
          });
        }
        cleanSessionIsServed(agi, store, fuzz.seed() + ".last");
      } finally {
        pool.shutdownNow();
        agi.close();
      }
    }
    Map<String, Double> outcomes = new TreeMap<>();
    for (Counter c : metrics.find("postcall.agi.sessions").counters()) outcomes.put(c.getId().getTag("outcome"), c.count());
    System.out.println("agi-sessions-socket outcomes: " + outcomes);
    fuzz.finish();
  }

  /** A clean session from a real transcript is stored: the fuzzing left the server serving. */
  private static void cleanSessionIsServed(AgiService agi, CallStore store, String tag) throws Exception {
    String uid = "1797" + Math.abs(tag.hashCode() % 1_000_000) + "." + tag.replaceAll("[^0-9]", "");
    FakeAsterisk.Session done = new FakeAsterisk(agi.localPort()).play(
        HangupTranscriptsIT.transcripts("endbeforehexten-yes").get(0).withUniqueid(uid));
    assertTrue(done.closedByServer());
    agi.drainOnce();
    assertTrue(store.find(uid).isPresent(), "clean session " + uid + " stored after fuzzing");
  }

  /** Plays Asterisk's side: the environment, then one answer per command; closes or goes silent. */
  private static Played play(int port, AgiSessions.Session s, boolean stall) throws IOException {
    try (Socket so = new Socket()) {
      so.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      so.setSoTimeout(READ_TIMEOUT_MS + 10_000); // hitting this means the server hung
      int localPort = so.getLocalPort();
      OutputStream out = so.getOutputStream();
      InputStream in = new BufferedInputStream(so.getInputStream());
      long last = System.nanoTime();
      try {
        out.write(s.env());
        out.flush();
        last = System.nanoTime();
        for (byte[] a : s.answers()) {
          if (readLine(in) == null) return new Played(localPort, true, ms(last), stall);
          out.write(a);
          out.flush();
          last = System.nanoTime();
        }
        if (!stall) so.shutdownOutput();
        while (in.read() >= 0) {
          // commands we do not answer: the server must still end the session
        }
      } catch (SocketTimeoutException e) {
        return new Played(localPort, false, ms(last), stall);
      } catch (IOException e) {
        // reset or broken pipe: the server closed on us (e.g. after more than a MiB)
      }
      return new Played(localPort, true, ms(last), stall);
    }
  }

  /**
   * The uniqueid asterisk-java hands the script when the environment has odd or repeated
   * {@code agi_uniqueid} lines (the last non-empty one wins), as our connection decodes it and the
   * builder cleans it; null if none.
   */
  static String effectiveUniqueid(byte[] env) {
    String uid = null;
    for (String l : new String(env, StandardCharsets.UTF_8).split("\n", -1)) {
      if (l.endsWith("\r")) l = l.substring(0, l.length() - 1);
      if (l.isEmpty()) break;
      // asterisk-java's rule: key before the first ':', lower-cased; value from two characters after it
      int colon = l.indexOf(':');
      if (colon > 0 && l.substring(0, colon).toLowerCase(java.util.Locale.ROOT).equals("agi_uniqueid")
          && l.length() > colon + 2) uid = l.substring(colon + 2); // empty ones are skipped
    }
    if (uid == null || uid.isBlank()) return null;
    uid = dev.postcall.SafeText.clean(uid);
    return uid.length() > 150 ? uid.substring(0, 150) : uid;
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') b.write(c);
    if (c < 0) return null;
    return b.toString(StandardCharsets.UTF_8);
  }
}
