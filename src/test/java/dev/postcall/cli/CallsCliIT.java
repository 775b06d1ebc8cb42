package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.TestDb;
import dev.postcall.CallBuilder;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import java.io.PrintWriter;
import java.time.Instant;
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
    config = Files.writeString(dir.resolve("postcall.properties"), db.properties());
    // through the store, as calls arrive: the number side table is written with them
    new CallStore(db.ds()).insertAll(List.of(
        call("1.1", "0612345678", "100", "2026-11-01T09:00:00Z", 60, "ANSWERED", "ANSWER", "PJSIP/201"),
        call("1.2", "0799999999", "5550", "2026-11-02T09:00:00Z", 0, "BUSY", "BUSY", null),
        call("1.3", "0612345678", "100", "2026-11-03T09:00:00Z", 30, "ANSWERED", null, "Local/3002@pc-qagents"),
        call("1.4", "0155512345", "200", "2026-10-31T23:59:59Z", 10, "ANSWERED", "ANSWER", "PJSIP/2010"),
        call("1.5", "0612345678", "100", "2026-11-04T09:00:00Z", 0, "NO ANSWER", "WEIRD", null)));
  }

  static CallRecord call(String uid, String caller, String called, String start, int billsec, String disposition,
      String dialStatus, String agent) {
    Instant t = Instant.parse(start);
    return CallBuilder.agi(uid).caller(caller).extension(called).start(t).answer(agent == null ? null : t.plusSeconds(5))
        .billsec(billsec).disposition(disposition).dialStatus(dialStatus).agent(agent).build();
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
    assertEquals(List.of(), ids("--number", "0612345679"), "a miss");
    assertEquals(List.of("1.2"), ids("--number", "5550"), "a number only ever called");
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
    out.getBuffer().setLength(0);
    assertEquals(0, cl.execute("calls", "--number", "0612", "--limit", "2", "--config", config.toString()));
    java.util.regex.Matcher more = java.util.regex.Pattern.compile("more: --before (\\S+)").matcher(out.toString());
    assertTrue(more.find(), out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, cl.execute("calls", "--number", "0612", "--limit", "2", "--before", more.group(1), "--config", config.toString()));
    assertTrue(out.toString().contains("1.1") && out.toString().contains("1 call(s)") && !out.toString().contains("1.5"), out.toString());
    assertEquals(1, cl.execute("calls", "--since", "yesterday", "--config", config.toString()));
    assertTrue(err.toString().contains("--since 'yesterday' is not a date"), err.toString());
    assertEquals(1, cl.execute("calls", "--status", "great", "--config", config.toString()));
    assertTrue(err.toString().contains("unknown status 'great'"), err.toString());
  }
}
