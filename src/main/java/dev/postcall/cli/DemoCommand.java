package dev.postcall.cli;

import dev.postcall.DaemonThreads;
import dev.postcall.sim.Demo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postcall demo}: the whole flow on this machine, nothing to install; see {@link Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run postcall end to end here: embedded MariaDB, incident simulator, service, simulated Asterisk.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "var/demo", description = "Where the demo keeps its data (default: ${DEFAULT-VALUE}).") Path dir;
  @Option(names = "--calls", defaultValue = "300") int calls;
  @Option(names = "--rate", defaultValue = "20", description = "Calls started per second.") double rate;
  @Option(names = "--skip-agi", defaultValue = "10", description = "Percent of calls that reach only Master.csv.") int skipAgi;
  @Option(names = "--agi-port", defaultValue = "4573") int agiPort;
  @Option(names = "--web-port", defaultValue = "8080") int webPort;
  @Option(names = "--incident-port", defaultValue = "8090") int incidentPort;
  @Option(names = "--db-port", defaultValue = "3307") int dbPort;
  @Option(names = "--exit", description = "Exit after the summary instead of keeping the pages up.") boolean exit;

  @Override
  public Integer call() throws Exception {
    // a fresh random token per run, printed below: a fixed one would let anyone on the machine in
    String token = Demo.randomToken();
    List<String> removed;
    try {
      removed = Demo.clean(dir);
    } catch (java.io.IOException e) {
      System.err.println("postcall demo: " + e.getMessage());
      return 1;
    }
    Path logFile = dir.resolve("postcall.log");
    PrintStream out = Logs.toFile(logFile);
    out.println(removed.isEmpty()
        ? "postcall demo: first run in " + dir
        : "postcall demo: starting clean — removed the last run's " + String.join(", ", removed) + " under " + dir);
    Demo demo = new Demo(new Demo.Options(dir, calls, rate, skipAgi, agiPort, webPort, incidentPort, dbPort, token));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      Logs.flush();
      stop.countDown();
    }, "demo-shutdown"));
    out.println("starting the embedded MariaDB (first start unpacks it, ~10 s), the incident simulator and the service;"
        + " its log: " + logFile);
    demo.start();
    out.printf("simulating %d calls at %.0f/s (%d %% reach only Master.csv)…%n", calls, rate, skipAgi);
    Demo.Summary s;
    try (ProgressLine progress = new ProgressLine(demo, out, System.console() != null)) {
      s = demo.run(Duration.ofMinutes(5));
    }
    out.println();
    out.printf("  %-36s %6d%n", "calls simulated", s.simulated());
    out.printf("  %-36s %6d%n", "captured via FastAGI", s.viaAgi());
    out.printf("  %-36s %6d%n", "recovered via Master.csv backfill", s.viaBackfill());
    out.printf("  %-36s %6d%n", "uploaded to the incident system", s.uploaded());
    out.printf("  %-36s %6d%n", "failed (see the failed queue)", s.failed());
    out.printf("  %-36s %6d%n", "still waiting for delivery", s.waiting());
    out.printf("  %-36s %6d%n", "duplicates at the incident system", s.duplicates());
    out.printf("  %-36s %6d%n", "missing at the incident system", s.missing());
    out.printf("  %-36s %6d%n", "calls not placed by this run", s.notThisRun());
    out.println();
    out.println("service log:        " + logFile);
    boolean ok = s.exact();
    if (exit) {
      demo.close();
      return ok ? 0 : 1;
    }
    out.println("admin page:         http://127.0.0.1:" + demo.service().webPort() + "/  (token: " + token + ")");
    out.println("incident simulator: http://127.0.0.1:" + demo.incidents().port() + "/");
    out.println("metrics, health:    http://127.0.0.1:" + demo.service().webPort() + "/metrics  /ready");
    out.println("Ctrl-C to stop.");
    stop.await();
    return ok ? 0 : 1;
  }

  /**
   * placed / captured / recovered / delivered / failed, redrawn in place twice a second on a
   * terminal; without one (a pipe, CI) a line every 5 s when something changed.
   */
  static final class ProgressLine implements AutoCloseable {
    private final Demo demo;
    private final PrintStream out;
    private final boolean terminal;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        r -> DaemonThreads.create("demo-progress", r));
    private String last = "";

    ProgressLine(Demo demo, PrintStream out, boolean terminal) {
      this.demo = demo;
      this.out = out;
      this.terminal = terminal;
      timer.scheduleWithFixedDelay(this::draw, 0, terminal ? 500 : 5000, TimeUnit.MILLISECONDS);
    }

    static String format(Demo.Progress p) {
      return String.format("  placed %d/%d · captured %d · recovered %d · delivered %d · failed %d",
          p.placed(), p.toPlace(), p.captured(), p.recovered(), p.delivered(), p.failed());
    }

    private synchronized void draw() {
      String line;
      try {
        line = format(demo.progress());
      } catch (Exception e) {
        return; // the database is still starting; the next tick tries again
      }
      if (line.equals(last)) return;
      if (terminal) out.print("\r" + line + " ".repeat(Math.max(0, last.length() - line.length())));
      else out.println(line);
      out.flush();
      last = line;
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdown();
      timer.awaitTermination(5, TimeUnit.SECONDS);
      draw();
      if (terminal) out.println();
    }
  }
}
