package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.CallBuilder;
import dev.postcall.call.CallRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  static CallRecord call(String uid) {
    return new CallRecord(uid, "L", "PJSIP/a-1", null, "100", "Zoë | \"x\"\n", "200", "rig",
        Instant.parse("2026-11-23T09:59:00Z"), null, null, 0, 0, "FAILED", "BUSY", "/r/" + uid + ".wav", null,
        "u|f", CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  @Test
  void the_spool_is_not_readable_by_other_accounts() throws Exception {
    Path sub = dir.resolve("var/spool");
    Spool spool = new Spool(sub, clock);
    spool.append(call("2.1"), "test");
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub.resolve(Spool.ACTIVE))));
    spool.close();
    // a spool folder left world-readable by an older version is narrowed at start
    Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
    new Spool(sub, clock).close();
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
  }

  @Test
  void concurrent_appends_are_each_one_line_and_read_back_equal() throws Exception {
    Spool spool = new Spool(dir, clock);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String uid = "1." + i;
      fs.add(pool.submit(() -> {
        spool.append(call(uid), "test");
        return null;
      }));
    }
    for (Future<?> f : fs) f.get();
    pool.shutdown();
    assertEquals(200, spool.size());
    assertEquals(200, Files.readAllLines(dir.resolve(Spool.ACTIVE)).size());
    Path file = spool.takeForDrain();
    List<CallRecord> back = spool.read(file);
    Set<String> uids = new HashSet<>();
    back.forEach(c -> uids.add(c.uniqueid()));
    assertEquals(200, uids.size());
    assertEquals(call("1.7"), back.stream().filter(c -> c.uniqueid().equals("1.7")).findFirst().orElseThrow());
    spool.drained(file);
    assertEquals(0, spool.size());
    assertNull(spool.takeForDrain());
    spool.close();
  }

  @Test
  void a_line_names_its_pbx_and_a_line_of_an_older_version_without_one_is_this_nodes() throws Exception {
    Spool spool = new Spool(dir, clock, "pbx-b");
    spool.append(CallBuilder.from(call("3.1")).pbx("pbx-a").build(), "test");
    spool.close();
    // what a version before pbx ids wrote: no pbxId in the line
    Files.writeString(dir.resolve(Spool.ACTIVE), "{\"v\":1,\"spooledAt\":\"2026-11-23T10:00:00Z\",\"reason\":\"old\","
        + "\"uniqueid\":\"3.2\",\"channel\":\"PJSIP/a-2\",\"disposition\":\"BUSY\"}\n", java.nio.file.StandardOpenOption.APPEND);
    Spool again = new Spool(dir, clock, "pbx-b");
    List<CallRecord> back = again.read(again.takeForDrain());
    assertEquals(List.of("pbx-a/3.1", "pbx-b/3.2"), back.stream().map(c -> c.key().toString()).toList());
    again.close();
  }

  @Test
  void torn_last_line_is_ended_before_the_next_append_and_rejected_on_read() throws Exception {
    Files.writeString(dir.resolve(Spool.ACTIVE), "{\"v\":1,\"uniq", StandardCharsets.UTF_8);
    Spool spool = new Spool(dir, clock);
    assertEquals(1, spool.size());
    spool.append(call("2.1"), "test");
    List<CallRecord> back = spool.read(spool.takeForDrain());
    assertEquals(List.of("2.1"), back.stream().map(CallRecord::uniqueid).toList());
    assertEquals(1, spool.size(), "the torn line left the count");
    assertTrue(Files.readString(dir.resolve(Spool.REJECTED)).startsWith("{\"v\":1,\"uniq"));
    spool.close();
  }

  @Test
  void a_file_whose_lines_are_all_committed_is_emptied_and_late_commits_count_for_the_file_they_were_appended_to() throws Exception {
    Spool spool = new Spool(dir, clock);
    long g = spool.append(call("3.1"), "test");
    spool.append(call("3.2"), "test");
    assertFalse(spool.retire(g), "one line is not confirmed yet");
    spool.committed(g, 2);
    assertEquals(0, spool.size());
    assertTrue(spool.retire(g));
    assertEquals(0, Files.size(dir.resolve(Spool.ACTIVE)), "emptied: nothing to re-insert");

    long g2 = spool.append(call("3.3"), "test");
    assertNotEquals(g, g2, "a new generation after the file was emptied");
    spool.committed(g, 1); // a commit reported for the emptied file: ignored
    assertEquals(1, spool.size());
    Path file = spool.takeForDrain(); // the database did not confirm 3.3: it is drained from the file
    assertFalse(spool.drainingConfirmed());
    spool.committed(g2, 1); // the writer's commit lands after the rename: it counts for the renamed file
    assertEquals(0, spool.size());
    assertTrue(spool.drainingConfirmed(), "every line of the renamed file confirmed: it may go unread");
    assertEquals(List.of("3.3"), spool.read(file).stream().map(CallRecord::uniqueid).toList());
    spool.drained(file);
    assertEquals(0, spool.size());
    spool.close();
  }

  @Test
  void lines_from_before_a_restart_count_as_unconfirmed() throws Exception {
    Spool first = new Spool(dir, clock);
    long g = first.append(call("4.1"), "test");
    first.committed(g, 1); // confirmed in the first process, but the file was not emptied before it died
    first.close();
    Spool second = new Spool(dir, clock);
    assertEquals(1, second.size(), "nobody knows: re-inserted (the store ignores it if present)");
    assertFalse(second.progress().allCommitted());
    second.close();
  }

  @Test
  void lines_the_database_confirmed_are_not_counted_again_at_the_next_start() throws Exception {
    Spool spool = new Spool(dir, clock);
    long gen = spool.append(call("1.1"), "test");
    spool.append(call("1.2"), "test");
    spool.committed(gen, 2);
    assertEquals(0, spool.size(), "what the stop line says");
    spool.forgetConfirmed();
    spool.close();
    assertEquals(0, new Spool(dir, clock).size(), "what the next start finds");
  }

  @Test
  void unconfirmed_lines_survive_the_stop() throws Exception {
    Spool spool = new Spool(dir, clock);
    long gen = spool.append(call("1.1"), "test");
    spool.append(call("1.2"), "test");
    spool.committed(gen, 1);
    assertEquals(1, spool.size());
    spool.forgetConfirmed();
    spool.close();
    assertEquals(2, new Spool(dir, clock).size(), "the whole file: which line was confirmed is not recorded");
  }

  @Test
  void a_second_spool_on_the_folder_is_refused_until_the_first_is_closed() throws Exception {
    Spool first = new Spool(dir, clock);
    first.append(call("5.1"), "test");
    Spool.InUseException e = assertThrows(Spool.InUseException.class, () -> new Spool(dir, clock));
    assertTrue(e.getMessage().contains("in use by another postcall process"), e.getMessage());
    assertEquals(1, first.size(), "the refused second spool touched nothing");
    first.close();
    Spool second = new Spool(dir, clock);
    assertEquals(1, second.size());
    second.close();
  }
}
