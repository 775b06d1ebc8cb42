package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.TestDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code postcall calls} in-process against a real MariaDB. */
class CallsCliIT {
  static TestDb db;
  static Path config;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDb.create();
    config = Files.writeString(dir.resolve("postcall.properties"), "db.url=" + db.url + "\ndb.user=" + TestDb.USER
        + "\ndb.password=" + TestDb.PASSWORD + "\n");
    db.exec("INSERT INTO calls (uniqueid, caller_number, extension, dst_channel, agent, start_time, answer_time, billsec_s, "
        + "disposition, dial_status, source, received_at, pbx_id) VALUES "
        + "('1.1', '0612345678', '100', 'PJSIP/201-0000002a', 'PJSIP/201', '2026-11-01 09:00:00', '2026-11-01 09:00:05', 60, 'ANSWERED', 'ANSWER', 'AGI', NOW(), 'pbx1'),"
        + "('1.2', '0799999999', '5550', NULL, NULL, '2026-11-02 09:00:00', NULL, 0, 'BUSY', 'BUSY', 'AGI', NOW(), 'pbx1'),"
        + "('1.3', '0612345678', '100', 'Local/3002@pc-qagents-00000001;1', 'Local/3002@pc-qagents', '2026-11-03 09:00:00', '2026-11-03 09:00:02', 30, 'ANSWERED', NULL, 'CSV', NOW(), 'pbx1'),"
        + "('1.4', '0155512345', '200', 'PJSIP/2010-0000002b', 'PJSIP/2010', '2026-10-31 23:59:59', '2026-11-01 00:00:01', 10, 'ANSWERED', 'ANSWER', 'AGI', NOW(), 'pbx1'),"
        + "('1.5', '0612345678', '100', NULL, NULL, '2026-11-04 09:00:00', NULL, 0, 'NO ANSWER', 'WEIRD', 'AGI', NOW(), 'pbx1')");
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  static List<String> ids(String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("calls", "--json", "--config", config.toString()));
    all.addAll(List.of(args));
    assertEquals(0, cl.execute(all.toArray(String[]::new)), err.toString());
    List<String> ids = new ArrayList<>();
    for (JsonNode n : new ObjectMapper().readTree(out.toString())) ids.add(n.get("uniqueid").asText());
    return ids;
  }

  @Test
  void newest_first_and_every_filter_narrows() throws Exception {
    assertEquals(List.of("1.5", "1.3", "1.2", "1.1", "1.4"), ids());
    assertEquals(List.of("1.2", "1.4"), ids("--number", "555"), "any part of caller (0155512345) or called (5550)");
    assertEquals(List.of("1.5", "1.3", "1.2", "1.1"), ids("--since", "2026-11-01"));
    assertEquals(List.of("1.2", "1.1"), ids("--since", "2026-11-01", "--until", "2026-11-02"));
    assertEquals(List.of("1.3", "1.1", "1.4"), ids("--status", "answered"));
    assertEquals(List.of("1.2"), ids("--status", "busy"));
    assertEquals(List.of("1.5"), ids("--status", "unknown"), "an unmapped outcome is delivered with status.default");
    assertEquals(List.of("1.1"), ids("--agent", "PJSIP/201"), "not PJSIP/2010");
    assertEquals(List.of("1.3"), ids("--agent", "Local/3002@pc-qagents"));
    assertEquals(List.of("1.5"), ids("--number", "0612", "--limit", "1"));
    assertEquals(List.of(), ids("--number", "%"), "a LIKE wildcard is a literal character");
  }

  @Test
  void text_output_and_bad_input() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    assertEquals(0, cl.execute("calls", "--number", "0612", "--config", config.toString()));
    assertTrue(out.toString().contains("PJSIP/201") && out.toString().contains("3 call(s)"), out.toString());
    assertEquals(1, cl.execute("calls", "--since", "yesterday", "--config", config.toString()));
    assertTrue(err.toString().contains("--since 'yesterday' is not a date"), err.toString());
    assertEquals(1, cl.execute("calls", "--status", "great", "--config", config.toString()));
    assertTrue(err.toString().contains("unknown status 'great'"), err.toString());
  }
}
