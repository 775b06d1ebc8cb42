package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.admin.Seed;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The admin commands in-process through {@link Main}, against a real MariaDB with a seeded queue. */
class AdminCliIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant DAY1 = Instant.parse("2026-11-20T09:00:00Z");
  static final Instant DAY2 = Instant.parse("2026-11-21T09:00:00Z");
  static final Instant DAY3 = Instant.parse("2026-11-22T09:00:00Z");
  static TestDb db;
  static Path config;
  static Path recordings;

  @BeforeAll
  static void seed(@TempDir Path dir) throws Exception {
    db = TestDb.create();
    MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofMinutes(30)));
    Seed seed = new Seed(db.ds(), clock);
    seed.failed("100.1", "0301111", DAY1, Stage.CREATE, "SOAP fault: invalid attribute caller");
    seed.failed("100.2", "0302222", DAY1.plusSeconds(60), Stage.CONVERT, "ffmpeg: invalid data found");
    seed.failed("100.3", "0409999", DAY2, Stage.CREATE, "HTTP 503 from incident system");
    seed.failed("100.4", "0401234", DAY2.plusSeconds(60), Stage.ATTACH, "HTTP 503 from incident system");
    seed.failed("100.5", "0405555", DAY2.plusSeconds(120), Stage.ATTACH, "read timed out");
    seed.delivered("200.1", "0301111", DAY2);
    seed.pending("300.1", "0301111", DAY2);
    recordings = Files.createDirectories(dir.resolve("monitor"));
    Files.write(recordings.resolve("100.1.wav"), new byte[] {1, 2, 3});
    config = dir.resolve("postcall.properties");
    Files.writeString(config, db.properties() + "recordings.dir=" + recordings + "\n");
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  static CliRun run(String... args) {
    return CliRun.of(config, args);
  }

  static List<String> uniqueids(JsonNode rows) {
    List<String> ids = new ArrayList<>();
    rows.forEach(r -> ids.add(r.get("uniqueid").asText()));
    return ids;
  }

  @Test
  void list_shows_failed_calls_newest_failure_first_as_text_and_json() throws Exception {
    CliRun text = run("failed", "list");
    assertEquals(0, text.rc(), text.err());
    assertTrue(text.out().contains("100.3") && text.out().contains("HTTP 503 from incident system"), text.out());
    assertFalse(text.out().contains("200.1"), "delivered call listed");

    JsonNode rows = JSON.readTree(run("failed", "list", "--json").out());
    assertTrue(uniqueids(rows).containsAll(List.of("100.1", "100.2", "100.3", "100.4")));
    assertFalse(uniqueids(rows).contains("300.1"), "pending call listed");
    JsonNode first = rows.get(0);
    assertTrue(first.get("failedAt").asText().compareTo(rows.get(rows.size() - 1).get("failedAt").asText()) >= 0);
  }

  @Test
  void list_filters_by_date_stage_number_reason_and_limit() throws Exception {
    assertEquals(List.of("100.2", "100.1"), uniqueids(JSON.readTree(
        run("failed", "list", "--until", "2026-11-20", "--json").out())));
    assertEquals(List.of("100.3"), uniqueids(JSON.readTree(
        run("failed", "list", "--since", "2026-11-21", "--until", "2026-11-21", "--stage", "create", "--json").out())));
    assertEquals(List.of("100.4"), uniqueids(JSON.readTree(run("failed", "list", "--number", "1234", "--json").out())));
    assertEquals(List.of("100.5"), uniqueids(JSON.readTree(run("failed", "list", "--reason", "timed out", "--json").out())));
    assertEquals(2, JSON.readTree(run("failed", "list", "--limit", "2", "--json").out()).size());
    // a LIKE wildcard typed by the admin is a literal character, not "anything"
    assertEquals(0, JSON.readTree(run("failed", "list", "--reason", "%", "--json").out()).size());
  }

  @Test
  void list_with_a_bad_date_or_stage_says_so() {
    CliRun r = run("failed", "list", "--since", "yesterday");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("since: 'yesterday' is not a date"), r.err());
    assertTrue(run("failed", "list", "--stage", "UPLOAD").err().contains("unknown stage 'UPLOAD'"));
  }

  @Test
  void show_prints_the_call_history_and_recording_state() throws Exception {
    db.exec("UPDATE calls SET recording_overwritten = TRUE, recording_short = TRUE WHERE uniqueid = '100.1'");
    CliRun text = run("failed", "show", "100.1");
    assertTrue(text.out().contains("flagged    overwritten: two MixMonitors wrote one file"), text.out());
    assertTrue(text.out().contains("; short: the recording covers much less"), text.out());
    assertEquals(0, text.rc(), text.err());
    assertTrue(text.out().contains("SOAP fault: invalid attribute caller"), text.out());
    assertTrue(text.out().contains(recordings.resolve("100.1.wav") + " (exists)"), text.out());

    JsonNode j = JSON.readTree(run("failed", "show", "100.1", "--json").out());
    assertEquals("0301111", j.at("/call/callerNumber").asText());
    assertEquals("FAILED", j.at("/job/state").asText());
    assertEquals("CREATE", j.at("/job/failedStage").asText());
    assertTrue(j.get("recordingExists").asBoolean());
    assertTrue(j.at("/job/recordingFlags/overwritten").asBoolean());
    JsonNode history = j.at("/job/history");
    assertEquals("FAILED", history.get(history.size() - 1).get("outcome").asText());

    assertFalse(JSON.readTree(run("failed", "show", "100.2", "--json").out()).get("recordingExists").asBoolean());
    assertFalse(run("failed", "show", "100.2").out().contains("flagged"));
    CliRun unknown = run("failed", "show", "999.9");
    assertEquals(1, unknown.rc());
    assertTrue(unknown.err().contains("no call with uniqueid 999.9"));
  }

  @Test
  void retry_and_discard_change_the_queue_and_keep_an_audit() throws Exception {
    seedExtra();
    CliRun retried = run("failed", "retry", "400.1", "--as", "carol", "--json");
    assertEquals(0, retried.rc(), retried.err());
    assertEquals("400.1", JSON.readTree(retried.out()).get("retried").get(0).asText());
    assertEquals(JobState.PENDING, state("400.1"));

    CliRun discarded = run("failed", "discard", "400.2", "--reason", "test call", "--as", "carol");
    assertEquals(0, discarded.rc(), discarded.err());
    assertEquals(JobState.DISCARDED, state("400.2"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM jobs WHERE discarded_by = 'cli:carol' AND discard_reason = 'test call'"));

    // not failed any more: skipped, exit 1, nothing changes
    CliRun again = run("failed", "discard", "400.1", "--reason", "x");
    assertEquals(1, again.rc());
    assertTrue(again.out().contains("skipped 400.1"), again.out());
    assertEquals(JobState.PENDING, state("400.1"));
    assertTrue(run("failed", "discard", "400.3").err().contains("--reason"), "discard without a reason accepted");
  }

  @Test
  void retry_all_takes_the_filters() throws Exception {
    seedExtra();
    CliRun r = run("failed", "retry", "--all", "--number", "0777", "--json");
    assertEquals(0, r.rc(), r.err());
    assertEquals(List.of("400.3"), uniqueids2(JSON.readTree(r.out()).get("retried")));
    assertEquals(JobState.PENDING, state("400.3"));
    assertEquals(1, run("failed", "retry").rc());
    assertEquals(1, run("failed", "retry", "400.4", "--stage", "CREATE").rc());
  }

  @Test
  void stats_counts_states_stages_and_deliveries() throws Exception {
    CliRun text = run("stats");
    assertEquals(0, text.rc(), text.err());
    assertTrue(text.out().contains("FAILED"), text.out());
    JsonNode j = JSON.readTree(run("stats", "--json").out());
    assertTrue(j.at("/byState/FAILED").asLong() >= 5);
    assertEquals(db.count("SELECT COUNT(*) FROM jobs WHERE state = ? AND failed_stage = ?", JobState.FAILED, Stage.ATTACH),
        j.at("/byStateAndStage/FAILED/ATTACH").asLong());
    assertEquals(1, j.get("deliveredLastHour").asLong());
    assertEquals(1, j.get("deliveredLastDay").asLong());
    assertFalse(j.get("oldestPending").isNull());
  }

  /** Issue 16: conflicts (a second, disagreeing hangup) are shown to admins, both versions, no terminal escapes. */
  @Test
  void conflicts_lists_hangups_kept_aside_and_stats_counts_them() throws Exception {
    dev.postcall.queue.CallStore store = new dev.postcall.queue.CallStore(db.ds());
    dev.postcall.call.CallRecord first = new dev.postcall.call.CallRecord("700.1", null, "PJSIP/a-1", null, "200", "Alice",
        "200", "rig", DAY3, null, null, 3, 0, "FAILED", "BUSY", null, null, null, dev.postcall.call.CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
    dev.postcall.call.CallRecord forged = new dev.postcall.call.CallRecord("700.1", null, "PJSIP/evil-2", null, "200",
        "EVIL\u001b[2J\u009b31m", "200", "rig", DAY3, null, null, 3, 0, "FAILED", "BUSY", null, null, null,
        dev.postcall.call.CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
    store.insert(first);
    store.insert(forged);
    CliRun text = run("conflicts");
    assertEquals(0, text.rc(), text.err());
    assertTrue(text.out().contains("700.1  HANGUP_DIFFERS  differs on: channel, caller name"), text.out());
    assertTrue(text.out().contains("PJSIP/evil-2") && text.out().contains("PJSIP/a-1"), "both versions: " + text.out());
    assertFalse(text.out().contains("\u001b") || text.out().contains("\u009b"), "no terminal escapes: " + text.out());
    JsonNode j = JSON.readTree(run("conflicts", "--json").out());
    assertTrue(j.get("total").asLong() >= 1);
    assertEquals("700.1", j.at("/latest/0/uniqueid").asText());
    assertTrue(run("stats").out().contains("conflicts        " + j.get("total").asLong() + " (hangups kept aside"));
  }

  @Test
  void an_unreachable_database_is_one_clear_line(@TempDir Path dir) throws Exception {
    Path down = Files.writeString(dir.resolve("p.properties"),
        "db.url=jdbc:mysql://127.0.0.1:1/postcall?sslMode=DISABLED\ndb.connect-timeout=300ms\n");
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setErr(new PrintWriter(err));
    assertEquals(1, cl.execute("failed", "list", "--config", down.toString()));
    assertTrue(err.toString().startsWith("postcall: database jdbc:mysql://127.0.0.1:1/postcall not usable"), err.toString());
    assertEquals(1, err.toString().lines().count(), err.toString());
  }

  @Test
  void every_command_has_help() {
    for (String[] c : List.of(new String[] {"failed", "--help"}, new String[] {"failed", "list", "--help"},
        new String[] {"failed", "retry", "--help"}, new String[] {"stats", "--help"})) {
      CliRun r = run(c);
      assertEquals(0, r.rc(), String.join(" ", c));
      assertTrue(r.out().startsWith("Usage: postcall " + c[0]), r.out());
    }
  }

  static List<String> uniqueids2(JsonNode arr) {
    List<String> ids = new ArrayList<>();
    arr.forEach(n -> ids.add(n.asText()));
    return ids;
  }

  private static boolean extraSeeded;

  /** Calls only the mutating tests touch (the listing tests' calls stay as they are). */
  static synchronized void seedExtra() throws Exception {
    if (extraSeeded) return;
    extraSeeded = true;
    // the pending 300.1 must not be claimed by the seeder: give these their own later clock
    db.exec("UPDATE jobs SET next_attempt_at = '2100-01-01' WHERE state = ?", JobState.PENDING);
    Seed seed = new Seed(db.ds(), new MutableClock(Instant.now().minus(Duration.ofMinutes(20))));
    seed.failed("400.1", "0601111", DAY3, Stage.CREATE, "boom");
    seed.failed("400.2", "0602222", DAY3, Stage.CREATE, "boom");
    seed.failed("400.3", "0777333", DAY3, Stage.CREATE, "boom");
    seed.failed("400.4", "0604444", DAY3, Stage.CREATE, "boom");
  }

  static JobState state(String uid) {
    return db.state(uid);
  }
}
