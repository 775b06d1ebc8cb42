package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.TestDb;
import dev.postcall.sim.IncidentServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code postcall doctor} against the real Asterisk of ../shared/pbx: with the PBX's own
 * configuration every check is OK; each broken setting the doctor knows is then reported by name
 * with a fix, through the command line and its --json.
 */
class DoctorIT {
  // not under /tmp: the pbx launcher keeps its Asterisk in this folder
  static final Path DIR = Path.of("target/doctor-it").toAbsolutePath();
  static final Path PBX_DIR = DIR.resolve("pbx");
  static final Path PBX = Stream.of(System.getenv("POSTCALL_PBX"), "../shared/pbx/pbx", "/work/shared/pbx/pbx")
      .filter(p -> p != null && Files.isExecutable(Path.of(p))).map(Path::of).findFirst()
      .orElseThrow(() -> new AssertionError("no pbx launcher: set POSTCALL_PBX to ../shared/pbx/pbx"));

  /** The kit's asterisk binary with its library path, as doctor's --asterisk runs it. */
  static Path asterisk;
  static ServerSocket agi;
  static Thread acceptor;
  static TestDb db;
  static IncidentServer incidents;

  @BeforeAll
  static void pbxWithOneFinishedCall() throws Exception {
    delete(DIR);
    Files.createDirectories(DIR);
    // postcall's FastAGI port as the dialplan sees it: sessions are accepted and closed at once
    // (the call then ends as with postcall down); the doctor only needs the port to listen
    agi = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    acceptor = new Thread(() -> {
      while (!agi.isClosed()) {
        try (Socket s = agi.accept()) {
          s.getInputStream().read(new byte[1024]);
        } catch (IOException e) {
          // closed at the end of the class
        }
      }
    }, "doctor-it-agi");
    acceptor.setDaemon(true);
    acceptor.start();
    pbx("up", PBX_DIR.toString(), "--agi", "127.0.0.1:" + agi.getLocalPort(), "--dialplan",
        Path.of("conf/asterisk/extensions_postcall.conf").toAbsolutePath().toString());
    pbx("call", PBX_DIR.toString(), "101");
    pbx("idle", PBX_DIR.toString());
    assertTrue(Files.size(PBX_DIR.resolve("log/cdr-csv/Master.csv")) > 0, "the call reached Master.csv");
    asterisk = Files.writeString(DIR.resolve("asterisk"), "#!/bin/sh\nLD_LIBRARY_PATH='" + PBX_DIR.resolve("asterisk/lib")
        + "' exec '" + PBX_DIR.resolve("asterisk/sbin/asterisk") + "' \"$@\"\n");
    asterisk.toFile().setExecutable(true);
    db = TestDb.create();
    incidents = IncidentServer.onLoopback(DIR.resolve("incidents"), "postcall", "pw");
  }

  @AfterAll
  static void down() throws Exception {
    try {
      pbx("down", PBX_DIR.toString());
    } finally {
      if (agi != null) agi.close();
      if (incidents != null) incidents.close();
      if (db != null) db.close();
    }
  }

  Map<String, String> goodConfig() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("db.url", db.url);
    m.put("db.user", TestDb.USER);
    m.put("db.password", TestDb.PASSWORD);
    m.put("agi.port", String.valueOf(agi.getLocalPort()));
    m.put("agi.spool-dir", DIR.resolve("spool").toString());
    m.put("archive.dir", DIR.resolve("archive").toString());
    m.put("recordings.dir", PBX_DIR.resolve("recordings").toString());
    m.put("csv.files", PBX_DIR.resolve("log/cdr-csv/Master.csv").toString());
    m.put("cdr.timezone", ZoneId.systemDefault().getId()); // the launcher runs Asterisk in this host's zone
    m.put("incident.url", incidents.url());
    m.put("incident.password", "pw");
    return m;
  }

  @Test
  void the_pbx_as_set_up_passes_every_check() throws Exception {
    System.out.println("postcall doctor, the PBX as set up:\n" + doctor(goodConfig(), PBX_DIR.resolve("etc")).out);
    Run r = doctor(goodConfig(), PBX_DIR.resolve("etc"), "--json");
    JsonNode findings = new ObjectMapper().readTree(r.out);
    List<String> problems = new ArrayList<>();
    for (JsonNode f : findings) if (!f.get("ok").asBoolean()) problems.add(f.toString());
    assertEquals(List.of(), problems, r.out);
    assertEquals(0, r.code, r.out);
    List<String> checks = new ArrayList<>();
    findings.forEach(f -> checks.add(f.get("check").asText()));
    for (String expected : List.of("cdr.conf endbeforehexten", "cdr.conf [csv]", "cdr.conf loguniqueid", "cdr.conf loguserfield",
        "cdr.conf usegmtime", "cdr_csv module", "cdr_csv backend", "open-file test", "dialplan AGI address", "database", "clock")) {
      assertTrue(checks.contains(expected), expected + " in " + checks);
    }
    assertTrue(checks.stream().anyMatch(c -> c.startsWith("Master.csv times")), checks.toString());
  }

  @Test
  void each_broken_setting_is_found_with_its_fix() throws Exception {
    Path etc = Files.createDirectories(DIR.resolve("broken-etc"));
    for (String f : List.of("extensions.conf", "modules.conf")) Files.copy(PBX_DIR.resolve("etc").resolve(f), etc.resolve(f),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(etc.resolve("modules.conf"), "\nnoload => cdr_csv.so\n", java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(etc.resolve("cdr.conf"), Files.readString(PBX_DIR.resolve("etc/cdr.conf"))
        .replaceAll("(?m)^endbeforehexten.*$", "endbeforehexten = no")
        .replaceAll("(?m)^loguniqueid.*$", "loguniqueid = no")
        .replaceAll("(?m)^loguserfield.*$", ";loguserfield = yes")
        .replaceAll("(?m)^usegmtime.*$", "usegmtime = yes"));
    Map<String, String> cfg = goodConfig();
    cfg.put("cdr.timezone", "Pacific/Kiritimati"); // UTC+14: no host runs in it, so it is wrong for the PBX
    cfg.put("agi.port", String.valueOf(freePort()));
    cfg.put("db.password", "not-the-password");
    cfg.put("incident.password", "wrong");
    cfg.put("recordings.dir", DIR.resolve("no-such-folder").toString());

    Run r = doctor(cfg, etc);
    System.out.println("postcall doctor, broken set-up:\n" + r.out);
    assertEquals(1, r.code, r.out);
    for (String broken : List.of("cdr.conf endbeforehexten", "cdr.conf loguniqueid", "cdr.conf loguserfield",
        "cdr.conf usegmtime", "cdr_csv module", "Master.csv times", "recordings", "FastAGI", "dialplan AGI address",
        "database", "incident system")) {
      assertTrue(r.out.lines().anyMatch(l -> l.startsWith("PROBLEM  " + broken)), broken + " reported:\n" + r.out);
    }
    assertTrue(r.out.contains("fix: set loguniqueid=yes in [csv] of cdr.conf"), r.out);
    assertTrue(r.out.contains("fix: set cdr.timezone=UTC"), r.out);
    // this etc has no asterisk.conf naming the PBX's control socket: the files alone, and a line saying so
    assertTrue(r.out.lines().anyMatch(l -> l.startsWith("OK       running Asterisk: not asked (Unable to connect")), r.out);
    assertFalse(r.out.contains("cdr_csv backend"), r.out);

    // without [csv] at all cdr_csv writes nothing
    Files.writeString(etc.resolve("cdr.conf"), Files.readString(PBX_DIR.resolve("etc/cdr.conf")).replaceAll("(?s)\\[csv].*", ""));
    Run noCsv = doctor(goodConfig(), etc);
    assertTrue(noCsv.out.lines().anyMatch(l -> l.startsWith("PROBLEM  cdr.conf [csv]")), noCsv.out);
    assertFalse(noCsv.out.contains("PROBLEM  database"), noCsv.out);
  }

  @Test
  void a_backend_the_running_asterisk_has_not_loaded_is_found() throws Exception {
    // the files are all fine: only asking Asterisk tells
    pbx("rx", PBX_DIR.toString(), "module unload cdr_csv.so");
    try {
      Run r = doctor(goodConfig(), PBX_DIR.resolve("etc"));
      System.out.println("postcall doctor, cdr_csv unloaded:\n" + r.out);
      assertEquals(1, r.code, r.out);
      assertTrue(r.out.contains("PROBLEM  cdr_csv backend: cdr_csv.so is not loaded in the running Asterisk"), r.out);
      assertTrue(r.out.contains("fix: asterisk -rx 'module load cdr_csv.so'"), r.out);
      assertTrue(r.out.contains("OK       cdr_csv module: not excluded in modules.conf"), r.out);
      assertEquals(1, r.out.lines().filter(l -> l.startsWith("PROBLEM")).count(), r.out);
    } finally {
      pbx("rx", PBX_DIR.toString(), "module load cdr_csv.so");
    }
    Run again = doctor(goodConfig(), PBX_DIR.resolve("etc"));
    assertTrue(again.out.contains("OK       cdr_csv backend: loaded and registered in the running Asterisk"), again.out);
  }

  @Test
  void the_open_file_test_looks_at_the_asterisk_of_the_pbx_pid_file() throws Exception {
    String pid = Files.readString(PBX_DIR.resolve("run/asterisk.pid")).trim();
    Run good = doctor(goodConfig(), PBX_DIR.resolve("etc"));
    assertTrue(good.out.lines().anyMatch(l -> l.startsWith("OK       open-file test: the open files of Asterisk (pid " + pid
        + " from " + PBX_DIR.resolve("run/asterisk.pid") + ")")), good.out);

    // an asterisk.conf naming another astrundir: the PBX's Asterisk runs (named asterisk, its open
    // files visible to root) but is not this configuration's, so it does not count
    Path etc = Files.createDirectories(DIR.resolve("other-run-etc"));
    Path run = Files.createDirectories(DIR.resolve("other-run"));
    Files.writeString(etc.resolve("asterisk.conf"), Files.readString(PBX_DIR.resolve("etc/asterisk.conf"))
        .replaceAll("(?m)^astrundir\\s*=>.*$", "astrundir => " + run));
    Run none = doctor(goodConfig(), etc);
    assertTrue(none.out.contains("PROBLEM  open-file test: no " + run.resolve("asterisk.pid") + ": Asterisk is not running"),
        none.out);

    // a pid file left behind whose pid now belongs to another program (this JVM)
    Files.writeString(run.resolve("asterisk.pid"), ProcessHandle.current().pid() + "\n");
    Run stale = doctor(goodConfig(), etc);
    String self = Files.readString(Path.of("/proc/self/comm")).trim();
    assertTrue(stale.out.contains("PROBLEM  open-file test: " + run.resolve("asterisk.pid") + " names pid "
        + ProcessHandle.current().pid() + ", which is " + self + ", not Asterisk"), stale.out);
    assertTrue(stale.out.contains("fix: start Asterisk (it rewrites the pid file)"), stale.out);
  }

  private record Run(int code, String out) {}

  private static Run doctor(Map<String, String> config, Path etc, String... more) throws IOException {
    StringBuilder props = new StringBuilder();
    config.forEach((k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Path file = Files.writeString(DIR.resolve("doctor-" + System.nanoTime() + ".properties"), props);
    StringWriter out = new StringWriter();
    List<String> args = new ArrayList<>(List.of("doctor", "--config", file.toString(), "--asterisk-etc", etc.toString(),
        "--asterisk", asterisk.toString()));
    args.addAll(List.of(more));
    int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
        .execute(args.toArray(String[]::new));
    return new Run(code, out.toString());
  }

  private static int freePort() throws IOException {
    return dev.postcall.FreePorts.next();
  }

  private static void pbx(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PBX.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // the launcher's Asterisk finds its libraries beside it (its RUNPATH names /opt/asterisk/lib)
    pb.environment().put("LD_LIBRARY_PATH", PBX_DIR.resolve("asterisk/lib").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pbx " + String.join(" ", args));
    assertEquals(0, p.exitValue(), "pbx " + String.join(" ", args) + ": " + out);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }
}
