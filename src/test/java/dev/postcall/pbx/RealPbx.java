package dev.postcall.pbx;

import static org.awaitility.Awaitility.await;

import dev.postcall.TestDb;
import dev.postcall.queue.JobState;
import dev.postcall.service.PostcallService;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.sim.IncidentServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Asterisk per test class, pointed at a postcall the test starts in-process (roles agi,
 * worker, tailer, web) with a real MariaDB and the CXF incident simulator:
 *
 * <pre>
 * &#64;RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf");
 * </pre>
 *
 * The dialplan resource is copied with {@code @POSTCALL_DIALPLAN@} replaced by the project's
 * {@code conf/asterisk/extensions_postcall.conf}; the kit's callers (its {@code pc-prologue}) run
 * that file's postcall-dialled first thing. Asterisk, postcall, the simulator and the test
 * database are stopped after the class, whatever happened. Skips the class (one line) without the kit.
 */
public final class RealPbx implements BeforeAllCallback, AfterAllCallback {
  private final String dialplanResource;
  private final Map<String, String> settings = new HashMap<>();
  private String tz;
  private boolean startPbx = true;
  private boolean usegmtime;
  private Integer agiPort;
  private Path seed;
  private boolean noCsvSection;

  private Path tmp;
  private TestDb db;
  private IncidentServer server;
  private PostcallService service;
  private Pbx pbx;

  private RealPbx(String dialplanResource) {
    this.dialplanResource = dialplanResource;
  }

  public static RealPbx with(String dialplanResource) {
    return new RealPbx(dialplanResource);
  }

  /** Asterisk's time zone (the kit bind-mounts it over /etc/localtime; root only). */
  public RealPbx tz(String zone) {
    this.tz = zone;
    return this;
  }

  /** A postcall setting (as in postcall.properties) on top of the test defaults. */
  public RealPbx setting(String key, String value) {
    settings.put(key, value);
    return this;
  }

  /** cdr.conf's [csv] usegmtime (the project's cdr_postcall.conf is Asterisk's cdr.conf). */
  public RealPbx usegmtime(boolean on) {
    this.usegmtime = on;
    return this;
  }

  /** Points Asterisk at this FastAGI port instead of postcall's (a closed one: calls reach postcall via Master.csv only). */
  public RealPbx agiPort(int port) {
    this.agiPort = port;
    return this;
  }

  /** cdr.conf without its [csv] section (as the old cdr_postcall.conf had admins do): cdr_csv unregisters. */
  public RealPbx withoutCsvSection() {
    this.noCsvSection = true;
    return this;
  }

  /** A Master.csv with history that exists before postcall first looks (Asterisk appends to it). */
  public RealPbx seedMasterCsv(Path file) {
    this.seed = file;
    return this;
  }

  /** Leaves Asterisk to the test ({@link #startPbx()}), e.g. to seed Master.csv before postcall sees it. */
  public RealPbx deferPbx() {
    this.startPbx = false;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    PbxKit.launcherOrSkip();
    tmp = Files.createTempDirectory("pbx-" + context.getRequiredTestClass().getSimpleName() + "-");
    if (seed != null) {
      Files.createDirectories(masterCsvPath().getParent());
      Files.copy(seed, masterCsvPath());
    }
    db = TestDb.create();
    server = IncidentServer.onLoopback(tmp.resolve("incidents"), "postcall", "pw");
    Map<String, String> m = new HashMap<>(Map.of(
        "roles", "agi,worker,tailer,web", "web.port", "0",
        "csv.files", masterCsvPath().toString(), "csv.tail-interval", "200ms",
        "recordings.dir", pbxDir().resolve("recordings").toString(),
        "cdr.timezone", tz == null ? ZoneId.systemDefault().getId() : tz));
    m.putAll(settings);
    PostcallConfig cfg = db.serviceConfig(tmp, server.url(), m);
    service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    service.start();
    await().atMost(Duration.ofSeconds(60)).until(service::ready);
    if (startPbx) startPbx();
  }

  /** Starts Asterisk (done in beforeAll unless {@link #deferPbx()}). */
  public Pbx startPbx() throws IOException {
    Path dialplan = tmp.resolve("postcall-test.conf");
    Files.writeString(dialplan, resource(dialplanResource)
        .replace("@POSTCALL_DIALPLAN@", PbxKit.projectDialplan().toString()), StandardCharsets.UTF_8);
    pbx = Pbx.up(pbxDir(), agiPort != null ? agiPort : service.agiPort(), dialplan, tz);
    // the kit's callers run postcall-dialled first thing, as the README tells admins to
    Path kit = pbxDir().resolve("etc/extensions.conf");
    String plan = Files.readString(kit, StandardCharsets.UTF_8);
    String withDialled = plan.replaceFirst("(?m)^(\\[pc-prologue\\]\\R[^\\n]*\\R)",
        "$1" + java.util.regex.Matcher.quoteReplacement(" same => n,Gosub(postcall-dialled,s,1(${ARG1}))\n"));
    if (withDialled.equals(plan)) throw new IllegalStateException("no [pc-prologue] in the kit's " + kit + " to run postcall-dialled in");
    Files.writeString(kit, withDialled, StandardCharsets.UTF_8);
    pbx.rx("dialplan reload");
    // Asterisk's CDR settings are the project's shipped file (both sections in cdr.conf)
    String cdr = Files.readString(PbxKit.projectDialplan().resolveSibling("cdr_postcall.conf"), StandardCharsets.UTF_8);
    cdr = cdr.replace("usegmtime = no", "usegmtime = " + (usegmtime ? "yes" : "no"));
    if (noCsvSection) cdr = cdr.substring(0, cdr.indexOf("[csv]"));
    Files.writeString(pbxDir().resolve("etc/cdr.conf"), cdr, StandardCharsets.UTF_8);
    // queues name the member who answered to the caller's channel, as the README tells admins
    Path queues = pbxDir().resolve("etc/queues.conf");
    Files.writeString(queues, Files.readString(queues, StandardCharsets.UTF_8)
        .replaceAll("(?m)^(\\[pc-[a-z]+\\])$", "$1\nsetinterfacevar = yes"), StandardCharsets.UTF_8);
    pbx.rx("module reload app_queue.so");
    pbx.rx("module reload cdr");
    pbx.rx("module unload cdr_csv.so");
    pbx.rx("module load cdr_csv.so");
    String status = pbx.rx("cdr show status");
    if (status.contains("csv") == noCsvSection) throw new IllegalStateException("cdr_csv's registration is not what cdr.conf says:\n" + status);
    return pbx;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RuntimeException first = null;
    for (AutoCloseable c : new AutoCloseable[] {pbx, service, server, db}) {
      if (c == null) continue;
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) first = new IllegalStateException("closing " + c.getClass().getSimpleName(), e);
        else first.addSuppressed(e);
      }
    }
    if (tmp != null && !Boolean.getBoolean("pbx.keep")) deleteTree(tmp);
    if (first != null) throw first;
  }

  public Pbx pbx() {
    return pbx;
  }

  public PostcallService service() {
    return service;
  }

  public IncidentServer incidents() {
    return server;
  }

  public TestDb db() {
    return db;
  }

  public Path pbxDir() {
    return tmp.resolve("pbx");
  }

  public Path masterCsvPath() {
    return pbxDir().resolve("log/cdr-csv/Master.csv");
  }

  /** Whether this postcall runs the Master.csv tailer. */
  public boolean tails() {
    return settings.getOrDefault("roles", "tailer").contains("tailer");
  }

  /** Asterisk's zone. */
  public ZoneId zone() {
    return tz == null ? ZoneId.systemDefault() : ZoneId.of(tz);
  }

  /** The zone of Master.csv's times (UTC with usegmtime). */
  public ZoneId csvZone() {
    return usegmtime ? java.time.ZoneOffset.UTC : zone();
  }

  /** Master.csv's calls (callers only), as Asterisk wrote them. */
  public Map<String, MasterCsvRows.Call> masterCsvCalls() {
    return MasterCsvRows.callerCalls(MasterCsvRows.read(masterCsvPath()));
  }

  /** The object the incident system holds for a uniqueid, if any. */
  public Optional<IncidentServer.StoredObject> object(String uniqueid) {
    return server.objects().stream().filter(o -> uniqueid.equals(o.first("uniqueid"))).findFirst();
  }

  /** The call as postcall stored it. */
  public Optional<CallRecord> storedCall(String uniqueid) throws SQLException {
    return new CallStore(db.ds()).find(uniqueid);
  }

  /** Waits until the jobs of these calls (uniqueids) are all DONE or FAILED. */
  public void awaitSettled(java.util.Collection<String> uniqueids, Duration limit) {
    String in = uniqueids.stream().map(u -> "'" + u.replace("'", "") + "'").collect(java.util.stream.Collectors.joining(","));
    await().atMost(limit).pollInterval(Duration.ofMillis(200)).until(() ->
        db.count("SELECT COUNT(*) FROM calls c JOIN jobs j ON j.call_id = c.id WHERE j.state IN (?, ?)"
            + " AND c.uniqueid IN (" + in + ")", JobState.DONE, JobState.FAILED) == uniqueids.size());
  }

  /** The uniqueids postcall stored as calls. */
  public List<String> storedUniqueids() throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (var c = db.ds().getConnection(); var ps = c.prepareStatement("SELECT uniqueid FROM calls ORDER BY id");
        var rs = ps.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  /** Waits until the tailer has read Master.csv to its end. */
  public void awaitMasterCsvRead(Duration limit) {
    await().atMost(limit).pollInterval(Duration.ofMillis(100)).until(() -> {
      long size = Files.exists(masterCsvPath()) ? Files.size(masterCsvPath()) : 0;
      return size > 0 && db.count("SELECT COUNT(*) FROM csv_offsets WHERE byte_offset = " + size) > 0;
    });
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RealPbx.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalArgumentException("no test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Convenience for assertions: the ids of all delivered objects. */
  public List<String> deliveredUniqueids() {
    return server.objects().stream().map(o -> o.first("uniqueid")).toList();
  }
}
