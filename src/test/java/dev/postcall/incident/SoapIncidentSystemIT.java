package dev.postcall.incident;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.call.CallRecord;
import dev.postcall.sim.IncidentServer;
import dev.postcall.sim.IncidentServer.StoredFile;
import dev.postcall.sim.IncidentServer.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoapIncidentSystemIT {
  @TempDir Path tmp;
  private IncidentServer server;
  private SoapIncidentSystem incident;

  @BeforeEach
  void start() {
    server = IncidentServer.onLoopback(tmp.resolve("server"), "postcall", "s3cret");
    incident = new SoapIncidentSystem(config(Map.of()));
  }

  @AfterEach
  void stop() {
    server.hang(false);
    incident.close();
    server.close();
  }

  private PostcallConfig.Incident config(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of(
        "incident.url", server.url(), "incident.user", "postcall", "incident.password", "s3cret",
        "incident.receive-timeout", "2s", "incident.connect-timeout", "1s"));
    m.putAll(extra);
    return PostcallConfig.from(Settings.of(m)).incident();
  }

  @Test
  void create_sends_every_configured_attribute() {
    String objectref = incident.create(call("1795386559.69"), "answered");

    StoredObject o = server.objects().get(0);
    assertEquals(objectref, o.objectref());
    assertEquals("od-telephony-call-1", o.objectdef());
    assertEquals("2001", o.first("caller_number"));
    assertEquals("101", o.first("called_number"));
    assertEquals("2026-11-23T10:00:00Z", o.first("start_time"));
    assertEquals("42", o.first("duration"));
    assertEquals("answered", o.first("status"));
    assertEquals("1795386559.69", o.first("uniqueid"));
  }

  @Test
  void attribute_names_and_time_format_come_from_config() {
    try (SoapIncidentSystem custom = new SoapIncidentSystem(config(Map.of(
        "incident.attr.caller", "anrufer", "incident.time-format", "yyyy-MM-dd HH:mm:ss",
        "incident.time-zone", "Europe/Berlin", "incident.parent", "or-parent")))) {
      custom.create(call("1.1"), "busy");
    }
    StoredObject o = server.objects().get(0);
    assertEquals("2001", o.first("anrufer"));
    assertEquals("2026-11-23 11:00:00", o.first("start_time"));
    assertEquals("or-parent", o.parent());
  }

  @Test
  void find_by_uniqueid_returns_the_created_object_or_nothing() {
    String objectref = incident.create(call("1795386559.69"), "answered");
    assertEquals(objectref, incident.find(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1795386559.69", true).orElseThrow());
    assertTrue(incident.find(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1795386559.70", true).isEmpty());
  }

  @Test
  void objects_are_found_by_pbx_and_uniqueid_and_an_object_without_a_pbx_only_for_the_own_pbx() {
    String a = incident.create(dev.postcall.CallBuilder.from(call("1795386561.77")).pbx("pbx-a").build(), "busy");
    String b = incident.create(dev.postcall.CallBuilder.from(call("1795386561.77")).pbx("pbx-b").build(), "busy");
    assertEquals("pbx-a", server.objects().get(0).first("pbx_id"), "the PBX is an attribute of its own");
    assertEquals(a, incident.find("pbx-a", "1795386561.77", false).orElseThrow());
    assertEquals(b, incident.find("pbx-b", "1795386561.77", false).orElseThrow());
    assertEquals(List.of(b), incident.list("pbx-b", "1795386561.77", true));
    assertTrue(incident.find("pbx-c", "1795386561.77", true).isEmpty(), "another PBX's object is never this call's");

    // an object made before postcall sent the PBX (a call stored then has none to send)
    String old = incident.create(dev.postcall.CallBuilder.from(call("1795386561.80")).pbx("").build(), "busy");
    assertEquals(null, server.objects().get(2).first("pbx_id"));
    assertEquals(old, incident.find("pbx-a", "1795386561.80", true).orElseThrow(), "the worker's own PBX: it is this call's");
    assertTrue(incident.find("pbx-b", "1795386561.80", false).isEmpty(), "another PBX's call: it is not");
    assertEquals(List.of(old), incident.list("pbx-a", "1795386561.80", true));

    // incident.attr.pbx empty: no PBX attribute, lookups by the uniqueid alone (a single PBX)
    try (SoapIncidentSystem plain = new SoapIncidentSystem(config(Map.of("incident.attr.pbx", "")))) {
      String p = plain.create(dev.postcall.CallBuilder.from(call("1795386561.81")).pbx("pbx-a").build(), "busy");
      assertEquals(null, server.objects().get(3).first("pbx_id"));
      assertEquals(p, plain.find("pbx-b", "1795386561.81", false).orElseThrow());
    }
  }

  @Test
  void a_create_held_past_the_timeout_is_carried_out_later_then_listed_and_removable() throws Exception {
    incident.reachable(); // logged in: the hold meets createObjectref
    server.holdCreates(1, java.time.Duration.ofMillis(3_000)); // receive timeout 2 s
    IncidentException e = assertThrows(IncidentException.class, () -> incident.create(call("1.20"), "answered"));
    assertEquals(IncidentException.Outcome.UNKNOWN, e.outcome());
    assertTrue(incident.find(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1.20", true).isEmpty(), "not there yet when the client gave up");
    String second = incident.create(call("1.20"), "answered");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> server.heldCreatesDone() == 1);

    List<String> both = incident.list(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1.20", true);
    assertEquals(2, both.size(), both.toString());
    assertEquals(second, both.get(0), "oldest first: the held one was stored after the second");
    String late = both.get(1);
    assertTrue(incident.remove(late, "duplicate"));
    assertEquals(List.of(second), incident.list(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1.20", true));
    assertEquals(second, incident.find(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1.20", true).orElseThrow());
    assertFalse(incident.remove(late, "duplicate"), "already removed: not an error");
    assertEquals("duplicate", server.removed().get(late));
    assertEquals(List.of(), incident.list(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1.21", true));
  }

  @Test
  void attach_streams_a_multi_megabyte_file_intact_as_mtom() throws Exception {
    String objectref = incident.create(call("1.2"), "answered");
    Path mp3 = randomFile(tmp.resolve("1.2.mp3"), 24 << 20);
    assertFalse(incident.hasRecording(objectref));

    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    incident.attachRecording(objectref, mp3, "1.2.mp3");
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    List<StoredFile> files = server.files(objectref);
    assertEquals(1, files.size());
    assertEquals("1.2.mp3", files.get(0).srcname());
    assertTrue(files.get(0).contentType().startsWith("multipart/related"), files.get(0).contentType());
    assertArrayEquals(sha256(mp3), sha256(files.get(0).path()));
    // reading the file whole (or base64-encoding it) would allocate more than its size on this thread
    assertTrue(allocated < Files.size(mp3) / 2, "allocated " + allocated + " bytes for a " + Files.size(mp3) + " byte file");
    assertTrue(incident.hasRecording(objectref));
  }

  @Test
  void session_expiry_logs_in_again_once_and_the_call_succeeds() {
    incident.create(call("1.3"), "answered");
    server.expireSessions();

    incident.create(call("1.4"), "answered");

    assertEquals(2, server.logins());
    assertEquals(2, server.objects().size());
  }

  @Test
  void refused_connection_is_retryable() {
    assertTrue(incident.reachable()); // a kept-alive connection exists: refuse() must close it too
    server.refuse();
    IncidentException e = assertThrows(IncidentException.class, () -> incident.create(call("1.5"), "answered"));
    assertTrue(e.retryable());
    assertEquals(IncidentException.Outcome.NOT_SENT, e.outcome(), "a refused connection never reached the server");
    assertFalse(incident.reachable());

    server.accept();
    assertTrue(incident.reachable());
  }

  @Test
  void hanging_server_hits_the_receive_timeout_and_is_retryable() {
    incident.reachable(); // logged in, so the hang is met by createObjectref
    server.hang(true);
    long t0 = System.nanoTime();
    IncidentException e = assertThrows(IncidentException.class, () -> incident.create(call("1.6"), "answered"));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(e.retryable(), e.getMessage());
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertTrue(millis >= 1_900 && millis < 10_000, "took " + millis + " ms");
    assertEquals(IncidentException.Outcome.UNKNOWN, e.outcome(), "the server holds the request and may carry it out");
  }

  @Test
  void upload_slower_than_the_receive_timeout_still_completes() throws Exception {
    String objectref = incident.create(call("1.13"), "answered");
    Path mp3 = randomFile(tmp.resolve("1.13.mp3"), 8 << 20);
    server.delay(java.time.Duration.ofMillis(2_500)); // the server reads nothing for longer than receive-timeout (2 s)

    incident.attachRecording(objectref, mp3, "1.13.mp3");

    server.delay(java.time.Duration.ZERO);
    assertEquals(Files.size(mp3), server.files(objectref).get(0).bytes());
    // the longer budget was for that upload only: a plain call still times out at 2 s
    server.hang(true);
    assertThrows(IncidentException.class, () -> incident.hasRecording(objectref));
  }

  @Test
  void validation_fault_is_not_retryable_and_carries_the_fault_text() {
    server.failNext(1, "VALIDATION");
    IncidentException e = assertThrows(IncidentException.class, () -> incident.create(call("1.7"), "answered"));
    assertFalse(e.retryable());
    assertEquals("VALIDATION", e.faultCode());
    assertEquals(IncidentException.Outcome.ANSWERED, e.outcome());
    assertTrue(e.getMessage().contains("injected fault VALIDATION"), e.getMessage());
    assertTrue(e.getMessage().contains("1.7"), e.getMessage());
  }

  @Test
  void faults_listed_as_transient_are_retryable_others_are_not() {
    try (SoapIncidentSystem custom = new SoapIncidentSystem(config(Map.of("incident.transient-faults", "QUOTA, BUSY")))) {
      server.failNext(1, "QUOTA");
      assertTrue(assertThrows(IncidentException.class, () -> custom.create(call("1.8"), "answered")).retryable());
      server.failNext(1, "INTERNAL");
      assertFalse(assertThrows(IncidentException.class, () -> custom.create(call("1.8"), "answered")).retryable());
    }
  }

  @Test
  void lost_create_response_is_retryable_and_the_object_can_be_found() {
    server.dropResponseAfterCreate(1);
    IncidentException e = assertThrows(IncidentException.class, () -> incident.create(call("1.9"), "answered"));
    assertTrue(e.retryable(), e.getMessage());
    assertTrue(e.getMessage().contains("503"), e.getMessage());
    assertEquals(IncidentException.Outcome.UNKNOWN, e.outcome(), "a 5xx without a SOAP answer may come from a proxy");

    assertEquals(1, server.objects().size());
    assertEquals(server.objects().get(0).objectref(), incident.find(dev.postcall.config.PostcallConfig.Pbx.defaultId(), "1.9", true).orElseThrow());
  }

  @Test
  void lost_add_file_response_still_shows_the_file_so_a_retry_can_skip_it() throws IOException {
    String objectref = incident.create(call("1.10"), "answered");
    server.dropResponseAfterAddFile(1);
    Path mp3 = randomFile(tmp.resolve("1.10.mp3"), 10_000);
    assertTrue(assertThrows(IncidentException.class, () -> incident.attachRecording(objectref, mp3, "1.10.mp3")).retryable());
    assertTrue(incident.hasRecording(objectref));
  }

  @Test
  void wrong_password_is_refused_twice_then_not_retryable() {
    try (SoapIncidentSystem wrong = new SoapIncidentSystem(config(Map.of("incident.password", "nope")))) {
      IncidentException e = assertThrows(IncidentException.class, () -> wrong.create(call("1.11"), "answered"));
      assertFalse(e.retryable());
      assertEquals("LOGIN_REFUSED", e.faultCode());
      assertFalse(e.getMessage().contains("nope"), "the password must not appear in messages");
      assertTrue(server.objects().isEmpty());
    }
  }

  @Test
  void one_client_serves_many_threads_with_one_session() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> refs = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String uid = "2." + i;
        refs.add(pool.submit(() -> incident.create(call(uid), "answered")));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> f : refs) distinct.add(f.get());
      assertEquals(200, distinct.size());
    } finally {
      pool.shutdown();
    }
    assertEquals(1, server.logins());
    assertEquals(1, server.creates("2.199"));
  }

  @Test
  void missing_mp3_is_not_retryable() {
    String objectref = incident.create(call("1.12"), "answered");
    IncidentException e = assertThrows(IncidentException.class,
        () -> incident.attachRecording(objectref, tmp.resolve("gone.mp3"), "gone.mp3"));
    assertFalse(e.retryable());
    assertNotEquals(null, e.getMessage());
  }

  @Test
  void retry_after_lost_responses_does_not_create_a_second_object_nor_attach_twice() throws IOException {
    Path mp3 = randomFile(tmp.resolve("3.1.mp3"), 50_000);
    server.dropResponseAfterCreate(1);
    server.dropResponseAfterAddFile(1);

    int attempts = 0;
    while (!deliverOnce(call("3.1"), mp3)) attempts++;

    assertEquals(2, attempts, "one failed attempt per lost response");
    assertEquals(1, server.creates("3.1"));
    assertEquals(1, server.files(server.objects().get(0).objectref()).size());
  }

  /** What a worker's attempt does with the seam: look up before create, check before attach. */
  private boolean deliverOnce(CallRecord call, Path mp3) {
    try {
      String objectref = incident.find(call.pbxId(), call.uniqueid(), true).orElseGet(() -> incident.create(call, "answered"));
      if (!incident.hasRecording(objectref)) incident.attachRecording(objectref, mp3, call.uniqueid() + ".mp3");
      return true;
    } catch (IncidentException e) {
      assertTrue(e.retryable(), e.getMessage());
      return false;
    }
  }

  @Test
  void unreadable_truststore_is_a_clear_configuration_error() {
    IncidentException e = assertThrows(IncidentException.class, () -> new SoapIncidentSystem(config(Map.of(
        "incident.url", "https://127.0.0.1:1/incident", "incident.truststore", tmp.resolve("none.p12").toString()))));
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("incident.truststore"), e.getMessage());
  }

  static CallRecord call(String uniqueid) {
    Instant start = Instant.parse("2026-11-23T10:00:00Z");
    return new CallRecord(uniqueid, uniqueid, "Local/101@rig-00000001;2", "Local/101@rig-callee-00000002;1",
        "2001", "Alice", "101", "rig", start, start.plusSeconds(3), start.plusSeconds(42), 42, 39,
        "ANSWERED", "ANSWER", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  static Path randomFile(Path p, int bytes) throws IOException {
    Random r = new Random(bytes);
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(p)) {
      for (int left = bytes; left > 0; left -= chunk.length) {
        r.nextBytes(chunk);
        out.write(chunk, 0, Math.min(left, chunk.length));
      }
    }
    return p;
  }

  static byte[] sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return md.digest();
  }
}
