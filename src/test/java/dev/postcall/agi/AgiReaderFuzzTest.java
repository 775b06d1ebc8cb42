package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.fuzz.Fuzz;
import dev.postcall.fuzz.Inputs;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiReader;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.internal.AgiReaders;
import org.asteriskjava.fastagi.reply.AgiReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 fuzz target: the AGI session reader, in process. Each input is a whole mutated session
 * (see {@link AgiSessions}) read the way the server reads it — our {@link AgiConnection} under
 * asterisk-java's FastAGI reader — then the environment handling ({@link HangupScript#env}), the
 * query answer ({@link HangupQuery#parse}) and {@link HangupCallBuilder}. Properties: nothing but
 * asterisk-java's AgiException (a reason) or the query's IllegalArgumentException (a reason)
 * comes out; a session whose environment carried the uniqueid always yields a call with it;
 * generated values round-trip exactly through URIENCODE and the parser. The socket, the database
 * and the read timeout are {@link AgiSessionFuzzIT}'s part.
 */
class AgiReaderFuzzTest {
  private final HangupCallBuilder builder = new HangupCallBuilder(ZoneId.of("UTC"));
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
  void a_caller_id_asterisk_java_cannot_parse_is_kept_raw() throws Exception {
    String env = "agi_network: yes\nagi_network_script: hangup\nagi_channel: PJSIP/a-1\n"
        + "agi_uniqueid: 1795000000.1\nagi_callerid: x>y<\nagi_context: rig\nagi_extension: h\n\n";
    AgiConnection conn = new AgiConnection(new BytesSocket(env.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        (o, n) -> { });
    HangupCallBuilder.Env e = HangupScript.env(AgiReaders.fastAgi(conn).readRequest());
    assertEquals("1795000000.1", e.uniqueid());
    assertEquals("x>y<", e.callerNumber());
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
      fuzz.check(i, s.kind() + " " + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1), () -> {
        AgiConnection conn = new AgiConnection(new BytesSocket(bytes), (o, n) -> { });
        AgiReader reader = AgiReaders.fastAgi(conn);
        AgiRequest request;
        try {
          request = reader.readRequest();
        } catch (AgiException e) {
          fuzz.rejected();
          assertNotNull(e.getMessage());
          assertFalse(s.carries(), "a session carrying its uniqueid was refused: " + e);
          return;
        }
        HangupCallBuilder.Env env = HangupScript.env(request);
        boolean hasUid = env.uniqueid() != null && !env.uniqueid().isBlank();
        if (s.carries()) assertEquals(uid, env.uniqueid());
        Map<Field, String> values = Map.of();
        try {
          AgiReply reply = reader.readReply();
          values = HangupQuery.parse(reply.getFirstLine());
        } catch (AgiException | IllegalArgumentException e) {
          fuzz.rejected(); // the script stores the environment only, with this reason in the log
          assertNotNull(e instanceof AgiException ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (!hasUid) {
          assertFalse(s.carries());
          return;
        }
        HangupCallBuilder.Built built = builder.build(env, values);
        assertNotNull(built.call());
        if (s.carries()) assertEquals(uid, built.call().uniqueid());
        for (String w : built.warnings()) assertFalse(w.contains("\n") || w.contains("\r"), "log-safe warning: " + w);
      });
      fuzz.ran();
    }
    fuzz.finish();
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
