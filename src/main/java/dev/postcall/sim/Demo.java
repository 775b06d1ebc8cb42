package dev.postcall.sim;

import dev.postcall.cli.PostcallService;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * postcall end to end on one machine with nothing installed: the embedded MariaDB, the incident
 * simulator, the service with every role, and the call simulator — short calls with mixed outcomes,
 * some of which reach only Master.csv (the backfill must find them).
 */
public final class Demo implements AutoCloseable {
  /** How big a run, and where. Ports 0 pick free ones. */
  public record Options(Path dir, int calls, double rate, int skipAgiPercent, int agiPort, int webPort, int incidentPort,
      int dbPort, String adminToken) {}

  /** What the demo prints at the end. */
  public record Summary(int simulated, long viaAgi, long viaBackfill, long uploaded, long failed, long duplicates,
      long missing) {}

  private final Options o;
  private IncidentServer incidents;
  private PostcallService service;
  private List<SimulatedCall> calls = List.of();

  public Demo(Options options) {
    this.o = options;
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
        "web.admin-token", o.adminToken(), "worker.poll-interval", "100ms", "recordings.quiet-period", "100ms"));
    PostcallConfig cfg = PostcallConfig.from(Settings.of(m));
    service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    service.start();
  }

  /** Simulates the calls and waits (up to {@code patience}) until every one is delivered or failed. */
  public Summary run(Duration patience) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!service.ready() && System.nanoTime() < deadline) Thread.sleep(100);
    calls = new CallSimulator(new CallSimulator.Options(o.calls(), o.rate(), 50, CallSimulator.parseOutcomes(
        "answered=70,busy=10,noanswer=15,congestion=3,chanunavail=2"), o.skipAgiPercent(),
        // rotate Master.csv by rename every ~4 s of calls: a few rotations, each slower than the tail interval
        Math.max(10, (int) (o.rate() * 4)),
        0.01, Duration.ofSeconds(180), o.dir().resolve("monitor"), o.dir().resolve("cdr-csv/Master.csv"),
        new InetSocketAddress("127.0.0.1", service.agiPort()), ZoneId.systemDefault(), System.nanoTime(), false)).run();
    long until = System.nanoTime() + patience.toNanos();
    Summary s = summary();
    while (s.uploaded() + s.failed() < s.simulated() && System.nanoTime() < until) {
      Thread.sleep(500);
      s = summary();
    }
    return s;
  }

  public Summary summary() throws Exception {
    Set<String> ours = calls.stream().map(SimulatedCall::uniqueid).collect(Collectors.toSet());
    long agi = 0, csv = 0, done = 0, failed = 0;
    try (Connection c = service.database().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT c.uniqueid, c.source, j.state FROM calls c JOIN jobs j ON j.call_id = c.id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!ours.contains(rs.getString(1))) continue; // an earlier demo run in the same directory
        if (rs.getString(2).equals("AGI")) agi++;
        else csv++;
        if (rs.getString(3).equals("DONE")) done++;
        if (rs.getString(3).equals("FAILED")) failed++;
      }
    }
    Map<String, Long> atServer = incidents.objects().stream().map(x -> x.first("uniqueid")).filter(ours::contains)
        .collect(Collectors.groupingBy(u -> u, Collectors.counting()));
    long duplicates = atServer.values().stream().mapToLong(n -> n - 1).sum();
    long missing = ours.stream().filter(u -> !atServer.containsKey(u)).count();
    return new Summary(calls.size(), agi, csv, done, failed, duplicates, missing);
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
