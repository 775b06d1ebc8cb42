package dev.postcall.cli;

import dev.postcall.sim.Demo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    String token = "demo";
    Demo demo = new Demo(new Demo.Options(dir, calls, rate, skipAgi, agiPort, webPort, incidentPort, dbPort, token));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      Logs.flush();
      stop.countDown();
    }, "demo-shutdown"));
    System.out.println("postcall demo: starting the embedded MariaDB (first start unpacks it, ~10 s), the incident simulator and the service…");
    demo.start();
    System.out.printf("simulating %d calls at %.0f/s (%d %% reach only Master.csv)…%n", calls, rate, skipAgi);
    Demo.Summary s = demo.run(Duration.ofMinutes(5));
    System.out.println();
    System.out.printf("  %-36s %6d%n", "calls simulated", s.simulated());
    System.out.printf("  %-36s %6d%n", "captured via FastAGI", s.viaAgi());
    System.out.printf("  %-36s %6d%n", "recovered via Master.csv backfill", s.viaBackfill());
    System.out.printf("  %-36s %6d%n", "uploaded to the incident system", s.uploaded());
    System.out.printf("  %-36s %6d%n", "failed (see the failed queue)", s.failed());
    System.out.printf("  %-36s %6d%n", "duplicates at the incident system", s.duplicates());
    System.out.printf("  %-36s %6d%n", "missing at the incident system", s.missing());
    System.out.println();
    boolean ok = s.duplicates() == 0 && s.missing() == 0;
    if (exit) {
      demo.close();
      return ok ? 0 : 1;
    }
    System.out.println("incident simulator: http://127.0.0.1:" + demo.incidents().port() + "/");
    System.out.println("admin page:         http://127.0.0.1:" + demo.service().webPort() + "/  (token: " + token + ")");
    System.out.println("metrics, health:    http://127.0.0.1:" + demo.service().webPort() + "/metrics  /ready");
    System.out.println("Ctrl-C to stop.");
    stop.await();
    return ok ? 0 : 1;
  }
}
