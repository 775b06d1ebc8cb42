package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.queue.CallStore;
import dev.postcall.route.CallerNumbers;
import dev.postcall.route.RouteIndex;
import dev.postcall.route.RouteLoader;
import dev.postcall.route.VipNumbers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route script over real sockets, on the same FastAGI server as hangup. */
class RouteIT {
  static final DateTimeFormatter CDR_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  TestDb db;
  dev.postcall.db.Database downDb;
  AgiService agi;
  RouteLoader loader;
  SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  @TempDir Path spool;
  // numbers written as the PBX writes them: the last 9 digits, whatever prefix the trunk sent
  CallerNumbers numbers = new CallerNumbers(List.of("+", "00"), 9);

  @AfterEach
  void tearDown() {
    if (loader != null) loader.close();
    if (agi != null) agi.close();
    if (db != null) db.close();
    if (downDb != null) downDb.close();
  }

  RouteIndex start(javax.sql.DataSource ds) throws Exception {
    RouteIndex index = new RouteIndex(numbers, Duration.ofHours(24), 10, 0, Clock.systemUTC());
    CallStore store = new CallStore(db.ds());
    agi = new AgiService(AgiHarness.config(spool, Map.of()), ZoneId.of("UTC"), store, Clock.systemUTC(), metrics, index);
    agi.start();
    loader = new RouteLoader(ds, index, Clock.systemUTC(), Duration.ofSeconds(30), "pbx1", false);
    return index;
  }

  @Test
  void answers_last_agent_vip_and_priority_from_what_the_database_held_at_start() throws Exception {
    db = TestDb.create();
    Instant answered = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    db.exec("INSERT INTO calls (uniqueid, dst_channel, agent, caller_number, start_time, answer_time, source, received_at, pbx_id) VALUES "
        + "('1.1', 'PJSIP/201-0000002a', 'PJSIP/201', '0033612345678', '" + CDR_TIME.format(answered.minusSeconds(5)) + "', '"
        + CDR_TIME.format(answered) + "', 'AGI', NOW(), 'pbx1'),"
        // older answer from the same caller: the latest one wins
        + "('1.2', 'PJSIP/202-0000000b', 'PJSIP/202', '0612345678', '" + CDR_TIME.format(answered.minusSeconds(600)) + "', '"
        + CDR_TIME.format(answered.minusSeconds(590)) + "', 'AGI', NOW(), 'pbx1'),"
        // answered outside the 24 h window: forgotten
        + "('1.3', 'PJSIP/203-0000000c', 'PJSIP/203', '0699999999', '" + CDR_TIME.format(answered.minus(2, ChronoUnit.DAYS)) + "', '"
        + CDR_TIME.format(answered.minus(2, ChronoUnit.DAYS)) + "', 'AGI', NOW(), 'pbx1')");
    new VipNumbers(db.ds(), numbers, Clock.systemUTC()).add("+33 6 12 34 56 78", "key account");
    start(db.ds());
    loader.refreshOnce();

    assertEquals(Map.of("POSTCALL_LAST_AGENT", "PJSIP/201", "POSTCALL_VIP", "1", "POSTCALL_PRIORITY", "10"),
        route("0612345678"));
    assertEquals(Map.of("POSTCALL_LAST_AGENT", "", "POSTCALL_VIP", "0", "POSTCALL_PRIORITY", "0"), route("0699999999"));
    assertEquals(Map.of("POSTCALL_LAST_AGENT", "", "POSTCALL_VIP", "0", "POSTCALL_PRIORITY", "0"), route("anonymous"));
    assertEquals(3, sessions("routed"));
  }

  @Test
  void a_call_answered_through_the_hangup_script_is_the_next_route_answer_without_the_database() throws Exception {
    db = TestDb.create();
    start(db.ds());
    loader.refreshOnce();
    assertEquals("", route("+33612345678").get("POSTCALL_LAST_AGENT"));

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Map<Field, String> v = new LinkedHashMap<>();
    v.put(Field.START, CDR_TIME.format(now.minusSeconds(30)));
    v.put(Field.ANSWER, CDR_TIME.format(now.minusSeconds(25)));
    v.put(Field.END, CDR_TIME.format(now));
    v.put(Field.DISPOSITION, "ANSWERED");
    v.put(Field.DIALSTATUS, "ANSWER");
    v.put(Field.DSTCHANNEL, "Local/3002@pc-qagents-00000001;1");
    hangup("1800000001.7", "0612345678", v);

    assertEquals("Local/3002@pc-qagents", route("+33612345678").get("POSTCALL_LAST_AGENT"));
  }

  @Test
  void database_down_at_start_answers_empty_at_once() throws Exception {
    db = TestDb.create();
    downDb = dev.postcall.db.Database.open("jdbc:mysql://127.0.0.1:1/none?sslMode=DISABLED", "x", "y", 1,
        Duration.ofMillis(300));
    start(downDb.dataSource());
    assertThrows(SQLException.class, loader::refreshOnce);
    loader.start(); // keeps retrying in the background; the route session does not wait for it
    assertEquals(Map.of("POSTCALL_LAST_AGENT", "", "POSTCALL_VIP", "", "POSTCALL_PRIORITY", ""), route("0612345678"));
    assertEquals(1, sessions("routed"));
  }

  @Test
  void an_unknown_script_is_still_refused_and_hangup_still_served_next_to_route() throws Exception {
    db = TestDb.create();
    start(db.ds());
    try (Socket s = new Socket("127.0.0.1", agi.localPort())) {
      s.getOutputStream().write(env("routes", "1.9", "555").getBytes(StandardCharsets.UTF_8));
      assertEquals(-1, s.getInputStream().read(), "closed without a command");
    }
    assertEquals(1, sessions("unknown_script"));
  }

  double sessions(String outcome) {
    var c = metrics.find("postcall.agi.sessions").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  static String env(String script, String uid, String caller) {
    return "agi_network: yes\nagi_network_script: " + script + "\nagi_request: agi://127.0.0.1/" + script + "\n"
        + "agi_channel: PJSIP/trunk-00000001\nagi_language: en\nagi_type: PJSIP\nagi_uniqueid: " + uid + "\n"
        + "agi_version: 22.10.1\nagi_callerid: " + caller + "\nagi_calleridname: Caller\nagi_callingpres: 0\n"
        + "agi_context: from-trunk\nagi_extension: 100\nagi_priority: 1\nagi_enhanced: 0.0\nagi_accountcode: \n"
        + "agi_threadid: 1\n\n";
  }

  /** One route session as Asterisk runs it: the variables its one MSet sets. */
  Map<String, String> route(String caller) throws Exception {
    try (Socket s = new Socket("127.0.0.1", agi.localPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(env("route", "1700000000.1", caller).getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      Map<String, String> vars = new LinkedHashMap<>();
      String line = in.readLine();
      String prefix = "EXEC MSet \"";
      assertTrue(line != null && line.startsWith(prefix) && line.endsWith("\""), "one EXEC MSet, got " + line);
      for (String kv : line.substring(prefix.length(), line.length() - 1).split(",", -1)) {
        int eq = kv.indexOf('=');
        vars.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
      out.write("200 result=0\n".getBytes(StandardCharsets.UTF_8));
      assertEquals(null, in.readLine(), "closed after the reply");
      return vars;
    }
  }

  /** One hangup session answering the query with {@code v} (URIENCODE-style). */
  void hangup(String uid, String caller, Map<Field, String> v) throws Exception {
    try (Socket s = new Socket("127.0.0.1", agi.localPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(env("hangup", uid, caller).getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertTrue(in.readLine().startsWith("GET FULL VARIABLE"));
      String body = Stream.of(Field.values()).map(f -> encode(v.getOrDefault(f, ""))).collect(Collectors.joining("|"));
      out.write(("200 result=1 (" + body + ")\n").getBytes(StandardCharsets.UTF_8));
      assertEquals(null, in.readLine(), "closed once stored");
    }
  }

  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if (Character.isLetterOrDigit(c) && c < 128 || "-_.!~*'()".indexOf(c) >= 0) b.append(c);
      else b.append(String.format("%%%02X", x & 0xff));
    }
    return b.toString();
  }

}
