package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.fuzz.Fuzz;
import dev.postcall.fuzz.Inputs;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the AGI session, in process. Each input is a whole mutated session (see
 * {@link AgiSessions}) fed to a {@link HangupSession} the way the capture loop feeds it — all at
 * once, and again in random pieces as a socket may deliver them — then to {@link HangupCallBuilder}.
 * Properties: nothing is thrown; the session ends either finished (a call to store) or closed with
 * an outcome; a session whose environment carried the uniqueid always yields a call with it; the
 * pieces do not change the result. The query's parser is fuzzed on its own below. The socket, the
 * database and the read timeout are {@link AgiSessionFuzzIT}'s part.
 */
class AgiReaderFuzzTest {
  private final HangupCallBuilder builder = new HangupCallBuilder(ZoneId.of("UTC"));
  private final AgiProtocol protocol = new AgiProtocol();
  private AutoCloseable quiet;
  private AutoCloseable quietAj;

  @BeforeEach
  void quiet() {
    quiet = Fuzz.quiet("dev.postcall.agi");
    quietAj = Fuzz.quiet("org.asteriskjava");
  }

  @AfterEach
  void loud() throws Exception {
    quiet.close();
    quietAj.close();
  }

  /** Found by this fuzzer: asterisk-java's Asterisk-1.0 caller id parser throws on "x>y<". */
  @Test
  void a_caller_id_asterisk_java_cannot_parse_is_kept_raw() {
    String env = "agi_network: yes\nagi_network_script: hangup\nagi_channel: PJSIP/a-1\n"
        + "agi_uniqueid: 1795000000.1\nagi_callerid: x>y<\nagi_context: rig\nagi_extension: h\n\n";
    Played p = Played.of(protocol, env.getBytes(StandardCharsets.UTF_8), new Random(1), false);
    assertEquals(HangupSession.Step.FINISHED, p.step());
    assertEquals("1795000000.1", p.session().env().uniqueid());
    assertEquals("x>y<", p.session().env().callerNumber());
  }

  @Test
  void mutated_sessions_yield_a_call_or_a_reason() {
    AgiSessions sessions = new AgiSessions();
    Fuzz fuzz = Fuzz.start("agi-session-reader", 5_000);
    for (int i = 0; i < fuzz.inputs(); i++) {
      if (!fuzz.runs(i)) continue;
      Random r = fuzz.random(i);
      String uid = "1795" + (100000 + r.nextInt(900000)) + "." + i;
      AgiSessions.Session s = sessions.generate(r, uid);
      byte[] bytes = s.all();
      fuzz.check(i, s.kind() + " " + new String(bytes, StandardCharsets.ISO_8859_1), () -> {
        Played whole = Played.of(protocol, bytes, r, false);
        Played pieces = Played.of(protocol, bytes, r, true);
        assertEquals(whole.summary(), pieces.summary(), "the same session in pieces");
        if (whole.step() == HangupSession.Step.CLOSE) {
          fuzz.rejected();
          assertNotNull(whole.session().outcome(), "closed with a reason");
          assertFalse(s.carries(), "a session carrying its uniqueid was closed: " + whole.session().outcome());
          return;
        }
        assertEquals(HangupSession.Step.FINISHED, whole.step());
        HangupCallBuilder.Env env = whole.session().env();
        if (s.carries()) assertEquals(uid, env.uniqueid());
        if (whole.session().values().isEmpty()) fuzz.rejected(); // stored from the environment only
        HangupCallBuilder.Built built = builder.build(env, whole.session().values());
        assertNotNull(built.call());
        if (s.carries()) assertEquals(uid, built.call().uniqueid());
        for (String w : built.warnings()) assertFalse(w.contains("\n") || w.contains("\r"), "log-safe warning: " + w);
      });
      fuzz.ran();
    }
    fuzz.finish();
  }

  /** A session fed {@code bytes} (whole, or in random pieces) and then the end of the stream, as the loop does. */
  record Played(HangupSession session, HangupSession.Step step) {
    static Played of(AgiProtocol protocol, byte[] bytes, Random r, boolean pieces) {
      HangupSession s = new HangupSession(InetAddress.getLoopbackAddress(), 40_000, InetAddress.getLoopbackAddress(), 4573, 0);
      HangupSession.Step step = HangupSession.Step.WAIT;
      int at = 0;
      while (at < bytes.length && step == HangupSession.Step.WAIT) {
        int n = pieces ? Math.min(bytes.length - at, 1 + r.nextInt(r.nextBoolean() ? 8 : 2_000)) : bytes.length;
        step = s.received(ByteBuffer.wrap(bytes, at, n), 1, protocol);
        at += n;
        if (step == HangupSession.Step.SEND_QUERY) step = s.querySent(protocol);
      }
      if (step == HangupSession.Step.WAIT) step = s.ended(protocol);
      return new Played(s, step);
    }

    String summary() {
      return step + " " + session.outcome() + " " + session.env() + " " + session.values();
    }
  }

  @Test
  void generated_values_round_trip_through_uriencode_and_the_parser() {
    Fuzz fuzz = Fuzz.start("agi-hangup-query", 5_000);
    for (int i = 0; i < fuzz.inputs(); i++) {
      if (!fuzz.runs(i)) continue;
      Random r = fuzz.random(i);
      Map<String, String> vars = new HashMap<>();
      for (Field f : Field.values()) {
        String v = r.nextInt(5) == 0 ? "" : utf8Text(r, r.nextInt(100) == 0 ? 4_000 : 40);
        vars.put(f.variable, v);
      }
      String line = dev.postcall.sim.FakeAsterisk.answer("GET FULL VARIABLE " + HangupQuery.EXPRESSION, new HashMap<>(vars));
      fuzz.check(i, vars, () -> {
        Map<Field, String> got = HangupQuery.parse(line);
        Map<Field, String> want = new EnumMap<>(Field.class);
        for (Field f : Field.values()) if (!vars.get(f.variable).isEmpty()) want.put(f, vars.get(f.variable));
        assertEquals(want, got);
      });
      // and the same answer damaged: parsed or refused with a reason, nothing else
      String damaged = damage(r, line);
      fuzz.check(i, damaged, () -> {
        try {
          Map<Field, String> got = HangupQuery.parse(damaged);
          assertTrue(got.size() <= Field.values().length);
        } catch (IllegalArgumentException e) {
          fuzz.rejected();
          assertTrue(e.getMessage() != null && !e.getMessage().contains("\n"), "a one-line reason: " + e.getMessage());
        }
      });
      fuzz.ran();
    }
    fuzz.finish();
  }

  private static String damage(Random r, String line) {
    StringBuilder b = new StringBuilder(line);
    for (int k = 1 + r.nextInt(3); k > 0; k--) {
      int at = r.nextInt(b.length() + 1);
      switch (r.nextInt(4)) {
        case 0 -> b.insert(at, Inputs.pick(r, "|", "%", "%Z", "(", ")", "\n", "\0", "\ufffd", "%C3"));
        case 1 -> { if (at < b.length()) b.deleteCharAt(at); }
        case 2 -> b.setLength(at);
        default -> b.insert(at, Inputs.text(r, 10));
      }
    }
    return b.toString();
  }

  /** Text that UTF-8 can carry (no lone surrogates): what a channel variable can hold. */
  private static String utf8Text(Random r, int max) {
    String s = Inputs.text(r, max);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (!Character.isSurrogate(c)) {
        b.append(c);
      }
    }
    return b.toString();
  }
}
