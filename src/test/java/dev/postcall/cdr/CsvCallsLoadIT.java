package dev.postcall.cdr;

import dev.postcall.call.CallRecord;
import dev.postcall.db.Sql;
import dev.postcall.queue.CallStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postcall.CallTablesDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Master.csv store through LOAD DATA LOCAL INFILE keeps every promise of the INSERT path. */
class CsvCallsLoadIT {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00.250Z");
  /** What callers and PBX admins can put into a CDR: separators, escapes, quotes, NUL, non-ASCII, too much. */
  static final List<String> HOSTILE = List.of("tab\there", "new\nline", "carriage\rreturn", "back\\slash\\", "\\N", "\\",
      "NULL", "nul\0byte", "\"quoted\" 'single', comma", "Jürgen Müller", "電話 📞 🎉", " padded ", "x".repeat(300) + "ü",
      "\\t\\n literally", "");

  @RegisterExtension static final CallTablesDb db = new CallTablesDb();

  static CallRecord call(String uniqueid, String text) {
    return new CallRecord(uniqueid, text, "SIP/" + text, text, text, text, text, text, Instant.parse("2026-11-23T09:59:00.5Z"),
        null, Instant.parse("2026-11-23T09:59:30Z"), 30, 0, text, null, text, text, text, CallRecord.Source.CSV, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  static List<CallRecord> hostileCalls(String prefix) {
    List<CallRecord> out = new ArrayList<>();
    for (int i = 0; i < HOSTILE.size(); i++) out.add(call(prefix + i, HOSTILE.get(i)));
    return out;
  }

  /** Runs insertNew in one committed transaction; returns the new uniqueids and how many LOAD DATAs ran. */
  record Stored(Set<String> fresh, long loads) {}

  static Stored insertNew(DataSource ds, CsvCalls calls, List<CallRecord> batch) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      long before = loads(c);
      Set<String> fresh = new java.util.LinkedHashSet<>();
      for (CallRecord.Key k : calls.insertNew(c, batch)) fresh.add(k.uniqueid());
      long after = loads(c);
      c.commit();
      return new Stored(fresh, after - before);
    }
  }

  static long loads(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Com_load'")) {
      rs.next();
      return rs.getLong(2);
    }
  }

  static List<List<String>> rows(String sql) throws SQLException {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = db.ds().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.add(rs.getString(i));
        out.add(row);
      }
    }
    return out;
  }

  /** The call rows, received_at only as "the database's now" (each insert has its own). */
  static final String CALL_ROWS = "SELECT " + String.join(", ", CallsTsv.COLUMNS.subList(1, CallsTsv.COLUMNS.size()))
      .replace("received_at", "ABS(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), received_at)) < 5") + " FROM calls ORDER BY uniqueid";
  /** The job rows but their times, which are the database's now of each insert (checked apart). */
  static final String JOB_ROWS = "SELECT c.uniqueid, j.state, j.stage, j.attempts, j.next_attempt_at = j.created_at,"
      + " j.created_at = j.updated_at, ABS(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), j.created_at)) < 5, j.lease_owner, j.version"
      + " FROM jobs j JOIN calls c ON c.id = j.call_id ORDER BY c.uniqueid";

  @Test
  void load_data_stores_the_same_calls_and_jobs_as_multi_row_inserts() throws SQLException {
    Stored insert = insertNew(db.ds(), new CsvCalls(), hostileCalls("h."));
    assertEquals(0, insert.loads(), "the main pool's connections never run LOAD DATA LOCAL");
    List<List<String>> callsByInsert = rows(CALL_ROWS);
    List<List<String>> jobsByInsert = rows(JOB_ROWS);
    db.empty();
    Stored load = insertNew(db.csvDs(), new CsvCalls(), hostileCalls("h."));
    assertEquals(1, load.loads(), "one LOAD DATA for the batch");
    assertEquals(insert.fresh(), load.fresh());
    assertEquals(HOSTILE.size(), load.fresh().size());
    assertEquals(callsByInsert, rows(CALL_ROWS));
    assertEquals(jobsByInsert, rows(JOB_ROWS));
  }

  @Test
  void hostile_text_comes_back_byte_for_byte() throws SQLException {
    insertNew(db.csvDs(), new CsvCalls(), hostileCalls("h."));
    CallStore store = new CallStore(db.ds());
    for (int i = 0; i < HOSTILE.size(); i++) {
      CallRecord back = store.find("h." + i).orElseThrow();
      String text = HOSTILE.get(i);
      assertEquals(Sql.clip(text, 255), back.callerName(), "caller name " + i);
      assertEquals(Sql.clip(text, 80), back.callerNumber(), "caller number " + i);
      assertEquals(Sql.clip(text, 255), back.userfield(), "userfield " + i);
      assertEquals(Sql.clip(text, 1024), back.recording(), "recording " + i);
      assertEquals(Sql.clip("SIP/" + text, 255), back.channel(), "channel " + i);
    }
  }

  @Test
  void calls_the_agi_path_stored_and_repeats_within_the_batch_add_nothing() throws SQLException {
    CallStore store = new CallStore(db.ds());
    store.insert(new CallRecord("agi.1", null, "SIP/a", null, "100", "Agi", "101", "rig", NOW, null, null, 0, 0, "NO ANSWER",
        "BUSY", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId()));
    List<CallRecord> batch = List.of(call("csv.1", "a"), call("agi.1", "b"), call("csv.2", "c"), call("csv.1", "d"));
    Stored s = insertNew(db.csvDs(), new CsvCalls(), batch);
    assertEquals(Set.of("csv.1", "csv.2"), s.fresh());
    assertEquals(3, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(3, db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals("AGI", rows("SELECT source FROM calls WHERE uniqueid = 'agi.1'").get(0).get(0), "the AGI call is left alone");
    assertEquals("a", store.find("csv.1").orElseThrow().callerName(), "the first row of a repeated uniqueid");
    assertEquals(Set.of(), insertNew(db.csvDs(), new CsvCalls(), batch).fresh(), "the same batch again adds nothing");
    assertEquals(3, db.count("SELECT COUNT(*) FROM jobs"));
  }

  /**
   * A call the AGI path stores between our look-up and our LOAD DATA: the unique key skips it (a
   * duplicate warning, the only one allowed) and it gets no second job. Simulated with a uniqueid
   * the look-up does not recognise but the unique key does (PAD SPACE: trailing blanks compare equal).
   */
  @Test
  void a_call_stored_by_someone_else_after_the_look_up_is_skipped_without_a_second_job() throws SQLException {
    new CallStore(db.ds()).insert(call("race.1", "agi"));
    Stored s = insertNew(db.csvDs(), new CsvCalls(), List.of(call("race.0", "a"), call("race.1 ", "b"), call("race.2", "c")));
    assertEquals(Set.of("race.0", "race.2"), s.fresh());
    assertEquals(1, s.loads());
    assertEquals(3, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(3, db.count("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void a_value_the_server_cannot_read_fails_the_batch_instead_of_being_stored_mangled() throws SQLException {
    Instant farFuture = Instant.parse("+10000-01-01T00:00:00Z");
    CallRecord bad = new CallRecord("bad.1", null, null, null, null, null, null, null, farFuture, null, null, null, null,
        null, null, null, null, null, CallRecord.Source.CSV, dev.postcall.config.PostcallConfig.Pbx.defaultId());
    try (Connection c = db.csvDs().getConnection()) {
      c.setAutoCommit(false);
      SQLException e = assertThrows(SQLException.class, () -> new CsvCalls().insertNew(c, List.of(call("ok.1", "a"), bad)));
      assertEquals(true, e.getMessage().startsWith("LOAD DATA into calls"), e.getMessage());
      c.rollback();
    }
    assertEquals(0, db.count("SELECT COUNT(*) FROM calls"));
  }

  /**
   * What a hostile or impersonated server could do with LOAD DATA LOCAL enabled: ask for a file in
   * answer to any statement. The import's connections hand out only the batch stream we set;
   * asked for anything else — even right after a batch — they refuse and read nothing.
   */
  @Test
  void csv_import_connections_hand_the_server_no_local_file() throws Exception {
    java.nio.file.Path secret = java.nio.file.Files.createTempFile("postcall-secret", ".properties");
    java.nio.file.Files.writeString(secret, "db.password=s3cret\n");
    try (Connection c = db.csvDs().getConnection(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      new CsvCalls().insertNew(c, List.of(call("s.1", "x")));
      st.execute("CREATE TEMPORARY TABLE stolen (line TEXT)");
      for (String path : List.of(secret.toString(), "/etc/passwd")) {
        SQLException e = assertThrows(SQLException.class,
            () -> st.execute("LOAD DATA LOCAL INFILE '" + path + "' INTO TABLE stolen"));
        assertEquals(true, e.getMessage().contains("allowLoadLocalInfileInPath"), e.getMessage());
      }
      assertEquals(0, Sql.scalarLong(c, "SELECT COUNT(*) FROM stolen"), "nothing read");
      c.rollback();
    } finally {
      java.nio.file.Files.delete(secret);
    }
  }

  @Test
  void uniqueids_far_apart_are_still_recognised_as_known() throws SQLException {
    CsvCalls calls = new CsvCalls();
    List<CallRecord> spread = new ArrayList<>();
    for (int i = 0; i < 50; i++) spread.add(call((i % 2 == 0 ? "1700000000." : "1800000000.") + i, "x"));
    insertNew(db.csvDs(), calls, spread);
    // A later batch whose span covers all of them (more known calls in range than in the batch).
    Stored s = insertNew(db.csvDs(), calls, List.of(call("1700000000.0", "x"), call("1800000000.1", "x"), call("1750000000.1", "y")));
    assertEquals(Set.of("1750000000.1"), s.fresh());
    assertEquals(51, db.count("SELECT COUNT(*) FROM jobs"));
  }
}
