package dev.postcall.cli;

import dev.postcall.service.PostcallService;

import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code postcall run}: starts the configured roles (agi, worker, tailer, web) until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the service (the roles in the configuration) until stopped (SIGTERM/Ctrl-C).")
final class RunCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    PostcallConfig cfg = config.load();
    PostcallService service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      Logs.flush();
      stopped.countDown();
    }, "postcall-shutdown"));
    service.onFatal(e -> {
      // one line, as for any configuration error; the shutdown hook stops what did start
      System.err.println("postcall: " + e.getMessage());
      System.exit(2);
    });
    service.start();
    stopped.await();
    return 0;
  }
}
