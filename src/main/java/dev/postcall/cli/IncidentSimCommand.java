package dev.postcall.cli;

import dev.postcall.sim.IncidentServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postcall incident-sim}: a local SOAP incident system implementing wsdl/incident.wsdl, for trials and chaos runs. */
@Command(name = "incident-sim", mixinStandardHelpOptions = true, description = "Run a local SOAP incident system (wsdl/incident.wsdl) keeping objects and files under --dir.")
final class IncidentSimCommand implements Callable<Integer> {
  @Option(names = "--bind", defaultValue = "127.0.0.1") String bind;
  @Option(names = "--port", defaultValue = "8090") int port;
  @Option(names = "--dir", defaultValue = "var/incidents") Path dir;
  @Option(names = "--user", defaultValue = "postcall") String user;
  @Option(names = "--password", defaultValue = "${env:POSTCALL_INCIDENT_PASSWORD:-}",
      description = "Password clients must log in with (default: $POSTCALL_INCIDENT_PASSWORD, else empty).") String password;
  @Option(names = "--delay", defaultValue = "0ms", description = "Delay every answer by this long (e.g. 200ms).") Duration delay;
  @Option(names = "--fault-rate", defaultValue = "0", description = "Fraction 0..1 of requests answered with a transient INTERNAL fault.") double faultRate;
  @Option(names = "--drop-after-create", defaultValue = "0", description = "Create the next N objects, then fail the response.") int dropAfterCreate;
  @Option(names = "--drop-after-addfile", defaultValue = "0", description = "Store the next N files, then fail the response.") int dropAfterAddFile;
  @Option(names = "--refuse", description = "Start refusing connections (until restarted without it).") boolean refuse;

  @Override
  public Integer call() throws InterruptedException {
    IncidentServer server = new IncidentServer(bind, port, dir, user, password == null ? "" : password).start();
    if (!delay.isZero()) server.delay(delay);
    if (faultRate > 0) server.faultRate(faultRate, "INTERNAL");
    if (dropAfterCreate > 0) server.dropResponseAfterCreate(dropAfterCreate);
    if (dropAfterAddFile > 0) server.dropResponseAfterAddFile(dropAfterAddFile);
    if (refuse) server.refuse();
    System.out.println("incident simulator: SOAP at " + server.url() + ", objects listed at http://" + bind + ":" + server.port() + "/");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }));
    stop.await();
    return 0;
  }
}
