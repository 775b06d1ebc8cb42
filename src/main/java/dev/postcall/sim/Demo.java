package dev.postcall.sim;

import dev.postcall.service.PostcallService;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.queue.JobState;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * postcall end to end on one machine with nothing installed: the embedded MariaDB, the incident
 * simulator, the service with every role, and the call simulator — short calls with mixed outcomes,
 * some of which reach only Master.csv (the backfill must find them).
 */
public final class Demo implements AutoCloseable {
  /** How big a run, and where. Ports 0 pick free ones. */
  public record Options(Path dir, int calls, double rate, int skipAgiPercent, int agiPort, int webPort, int incidentPort,
      int dbPort, String adminToken) {}

  /**
   * What the demo prints at the end, counted from the database and the incident simulator as they
   * are (not from this run's list of calls), so a leftover of an earlier run shows instead of
   * hiding: {@code notThisRun} calls the database holds that this run did not place, {@code waiting}
   * jobs neither delivered nor failed.
   */
  public record Summary(int simulated, long viaAgi, long viaBackfill, long uploaded, long failed, long waiting,
      long duplicates, long missing, long notThisRun) {
    /** Every call placed arrived once, nothing else did, nothing is left waiting. */
    public boolean exact() {
      return duplicates == 0 && missing == 0 && waiting == 0 && notThisRun == 0 && viaAgi + viaBackfill == simulated;
    }
  }

  /** The live counts: calls placed by the simulator, captured, recovered, delivered, failed. */
  public record Progress(int placed, int toPlace, long captured, long recovered, long delivered, long failed) {}

  /** What a run leaves under the demo directory; the unpacked MariaDB server ({@code db/server}) is kept. */
  static final Map<String, String> RUN_DATA = new LinkedHashMap<>();
  static final String MARKER = ".postcall-demo";

  static {
    RUN_DATA.put("db/data", "database");
    RUN_DATA.put("cdr-csv", "Master.csv files");
    RUN_DATA.put("spool", "spool");
    RUN_DATA.put("monitor", "recordings");
    RUN_DATA.put("archive", "archive");
    RUN_DATA.put("incidents", "incident objects");
    RUN_DATA.put("postcall.log", "log");
  }

  private final Options o;
  private IncidentServer incidents;
  private PostcallService service;
  private volatile CallSimulator simulator;
  private List<SimulatedCall> calls = List.of();

  /** An admin token for one demo run: 24 random bytes, base64url (32 characters). */
  public static String randomToken() {
    byte[] b = new byte[24];
    new java.security.SecureRandom().nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public Demo(Options options) {
    this.o = options;
  }

  /**
   * Deletes the data an earlier run left in {@code dir} — its database, Master.csv files, spool,
   * recordings, archive, incident objects and log — so this run starts clean: an old Master.csv
   * or spool line would otherwise bring the old calls back (uploaded again, or waiting for
   * recordings deleted long ago). Returns what it removed, in words. Only a folder the demo made
   * (its marker file, or the MariaDB it unpacked) or an empty one is cleaned: {@code --dir /var}
   * must not cost anyone /var/spool.
   */
  public static List<String> clean(Path dir) throws IOException {
    Path marker = dir.resolve(MARKER);
    if (Files.isDirectory(dir) && !Files.exists(marker) && !Files.isDirectory(dir.resolve("db/server"))) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException(dir + " is not a demo folder (no " + MARKER + "): give --dir a new or empty folder");
        }
      }
    }
    Files.createDirectories(dir);
    if (!Files.exists(marker)) Files.writeString(marker, "postcall demo data; each run deletes the previous run's\n");
    List<String> removed = new ArrayList<>();
    for (Map.Entry<String, String> e : RUN_DATA.entrySet()) {
      Path p = dir.resolve(e.getKey());
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> all = Files.walk(p)) {
          for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
      } else {
        Files.delete(p);
      }
      removed.add(e.getValue());
    }
    return removed;
  }

  public void start() {
    incidents = new IncidentServer("127.0.0.1", o.incidentPort(), o.dir().resolve("incidents"), "postcall", "demo").start();
    Map<String, String> m = new HashMap<>(Map.of(
        "db.embedded-dir", o.dir().resolve("db").toString(), "db.embedded-port", String.valueOf(o.dbPort()),
        "agi.port", String.valueOf(o.agiPort()), "agi.spool-dir", o.dir().resolve("spool").toString(),
        "recordings.dir", o.dir().resolve("monitor").toString(), "archive.dir", o.dir().resolve("archive").toString(),
        "csv.files", o.dir().resolve("cdr-csv/Master.csv").toString(), "csv.contexts", "incoming",
        "csv.tail-interval", "1s", "incident.url", incidents.url()));
    m.putAll(Map.of("incident.password", "demo", "web.port", String.valueOf(o.webPort()),
        "web.admin-token", o.adminToken(), "worker.poll-interval", "100ms", "recordings.quiet-period", "100ms",
        "web.ready-interval", "1s"));
    PostcallConfig cfg = PostcallConfig.from(Settings.of(m));
    service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    service.start();
  }

  /** Simulates the calls and waits (up to {@code patience}) until every one is delivered or failed. */
  public Summary run(Duration patience) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!service.ready() && System.nanoTime() < deadline) Thread.sleep(100);
    simulator = new CallSimulator(new CallSimulator.Options(o.calls(), o.rate(), 50, CallSimulator.parseOutcomes(
        "answered=70,busy=10,noanswer=15,congestion=3,chanunavail=2"), o.skipAgiPercent(),
        // rotate Master.csv by rename every ~4 s of calls: a few rotations, each slower than the tail interval
        Math.max(10, (int) (o.rate() * 4)),
        0.01, Duration.ofSeconds(180), o.dir().resolve("monitor"), o.dir().resolve("cdr-csv/Master.csv"),
        new InetSocketAddress("127.0.0.1", service.agiPort()), ZoneId.systemDefault(), System.nanoTime(), false));
    calls = simulator.run();
    long until = System.nanoTime() + patience.toNanos();
    Summary s = summary();
    while ((s.waiting() > 0 || s.uploaded() + s.failed() < s.simulated()) && System.nanoTime() < until) {
      Thread.sleep(500);
      s = summary();
    }
    return s;
  }

  /** Counts of the calls and jobs in the database, whichever run they came from. */
  private record Stored(long agi, long csv, long done, long failed, long waiting, Set<String> uniqueids) {}

  private Stored stored() throws SQLException {
    long agi = 0, csv = 0, done = 0, failed = 0, waiting = 0;
    Set<String> uniqueids = new HashSet<>();
    try (Connection c = service.database().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT c.uniqueid, c.source, j.state FROM calls c LEFT JOIN jobs j ON j.call_id = c.id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        uniqueids.add(rs.getString(1));
        if ("AGI".equals(rs.getString(2))) agi++;
        else csv++;
        String state = rs.getString(3);
        if (state == null) continue; // a call without a job is neither delivered nor waiting
        switch (JobState.valueOf(state)) {
          case DONE -> done++;
          case FAILED -> failed++;
          case DISCARDED -> { }
          case PENDING, CLAIMED -> waiting++;
        }
      }
    }
    return new Stored(agi, csv, done, failed, waiting, uniqueids);
  }

  public Progress progress() throws SQLException {
    CallSimulator sim = simulator;
    Stored st = stored();
    return new Progress(sim == null ? 0 : sim.placed(), o.calls(), st.agi(), st.csv(), st.done(), st.failed());
  }

  public Summary summary() throws Exception {
    Set<String> ours = calls.stream().map(SimulatedCall::uniqueid).collect(Collectors.toSet());
    Stored st = stored();
    Map<String, Long> atServer = incidents.objects().stream().map(x -> x.first("uniqueid"))
        .collect(Collectors.groupingBy(u -> u, Collectors.counting()));
    long duplicates = atServer.values().stream().mapToLong(n -> n - 1).sum();
    long missing = ours.stream().filter(u -> !atServer.containsKey(u)).count();
    Set<String> others = new HashSet<>(st.uniqueids());
    others.addAll(atServer.keySet());
    others.removeAll(ours);
    return new Summary(calls.size(), st.agi(), st.csv(), st.done(), st.failed(), st.waiting(), duplicates, missing,
        others.size());
  }

  public List<SimulatedCall> calls() {
    return calls;
  }

  public IncidentServer incidents() {
    return incidents;
  }

  public PostcallService service() {
    return service;
  }

  @Override
  public void close() {
    if (service != null) service.close();
    if (incidents != null) incidents.close();
  }
}
