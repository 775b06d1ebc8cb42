package dev.postcall.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postcall run}: starts the roles configured (agi, worker, tailer, web) until stopped. */
@Command(name = "run", description = "Run the service (the roles in the configuration) until stopped.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", description = "Configuration file (default: ${DEFAULT-VALUE}).", defaultValue = "conf/postcall.properties")
  Path config;

  @Override
  public Integer call() {
    throw new UnsupportedOperationException("wired in a later commit");
  }
}
