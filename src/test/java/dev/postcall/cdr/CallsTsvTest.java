package dev.postcall.cdr;

import dev.postcall.call.CallRecord;
import dev.postcall.db.Sql;
import dev.postcall.queue.CallStore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LOAD DATA input: what the server reads back must be exactly what we meant. */
class CallsTsvTest {
  static final Instant AT = Instant.parse("2026-11-23T10:00:00.123Z");

  static CallRecord call(String uniqueid, String callerName) {
    return new CallRecord(uniqueid, null, "SIP/a-1", null, "100", callerName, "101", "rig",
        Instant.parse("2026-11-23T09:59:00.5Z"), null, Instant.parse("2026-11-23T09:59:30Z"), 30, 0, "ANSWERED", null,
        null, null, "", CallRecord.Source.CSV, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  static List<String> fields(byte[] tsv) {
    String line = new String(tsv, StandardCharsets.UTF_8);
    assertEquals('\n', line.charAt(line.length() - 1), "one line per call");
    return Arrays.asList(line.substring(0, line.length() - 1).split("\t", -1));
  }

  @Test
  void columns_are_those_callstore_inserts_in_the_same_order() {
    String head = CallStore.INSERT_CALL.substring(CallStore.INSERT_CALL.indexOf('(') + 1, CallStore.INSERT_CALL.indexOf(')'));
    assertEquals(Arrays.stream(head.split(",")).map(String::trim).toList(), CallsTsv.COLUMNS);
  }

  @Test
  void null_empty_times_and_numbers_are_written_as_load_data_reads_them() {
    List<String> f = fields(CallsTsv.of(List.of(call("1.1", null)), AT));
    assertEquals(CallsTsv.COLUMNS.size(), f.size());
    assertEquals("1.1", f.get(0));
    assertEquals("\\N", f.get(1), "NULL");
    assertEquals("\\N", f.get(5), "no caller name");
    assertEquals("2026-11-23 09:59:00.500", f.get(8));
    assertEquals("\\N", f.get(9), "not answered");
    assertEquals("30", f.get(11));
    assertEquals("", f.get(17), "an empty string is not NULL");
    assertEquals("CSV", f.get(18));
    assertEquals("2026-11-23 10:00:00.123", f.get(19));
  }

  @Test
  void separators_escapes_and_the_null_marker_inside_values_are_escaped() {
    String hostile = "a\tb\nc\rd\\e\0f\\N \"q\" 'x', <y>";
    List<String> f = fields(CallsTsv.of(List.of(call("1.2", hostile)), AT));
    assertEquals("a\\tb\\nc\\rd\\\\e\\0f\\\\N \"q\" 'x', <y>", f.get(5));
  }

  @Test
  void non_ascii_text_is_utf8_and_clipped_like_callstore_clips_it() {
    String name = "Jürgen 📞 " + "x".repeat(300);
    byte[] tsv = CallsTsv.of(List.of(call("1.3", name)), AT);
    assertEquals(Sql.clip(name, 255), fields(tsv).get(5));
  }

  @Test
  void times_are_utc_with_milliseconds_like_sql_binds_them() {
    Instant t = Instant.parse("1999-12-31T23:59:59.999999Z");
    CallRecord r = new CallRecord("1.4", null, null, null, null, null, null, null, t, t, t, null, null, null, null, null,
        null, null, CallRecord.Source.CSV, dev.postcall.config.PostcallConfig.Pbx.defaultId());
    List<String> f = fields(CallsTsv.of(List.of(r), t));
    assertEquals(Sql.format(t), f.get(8));
    assertEquals("1999-12-31 23:59:59.999", f.get(19));
  }
}
