package dev.postcall.chaos;

import dev.postcall.ServiceJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real service as a separate process: {@code java -cp … dev.postcall.cli.Main run --config
 * FILE}, its output in {@code service-N.log}. {@link #kill()} is {@code kill -9} (no shutdown hook,
 * no flush — a power cut as far as postcall can tell); {@link #stop()} is SIGTERM.
 */
final class ServiceProcess implements AutoCloseable {
  private final Path config;
  private final Path logDir;
  private final int agiPort;
  private final List<String> jvmOptions;
  private Process process;
  private int starts;

  ServiceProcess(Path config, Path logDir, int agiPort, List<String> jvmOptions) {
    this.config = config;
    this.logDir = logDir;
    this.agiPort = agiPort;
    this.jvmOptions = jvmOptions;
  }

  /** Starts the service and waits until its FastAGI port accepts connections. */
  void start() throws IOException, InterruptedException {
    launch();
    awaitListening(Duration.ofSeconds(60));
  }

  /** Starts the service without waiting (several nodes start at once; {@link #awaitListening} each). */
  synchronized void launch() throws IOException {
    if (process != null && process.isAlive()) throw new IllegalStateException("already running");
    starts++;
    Path log = logDir.resolve("service-" + starts + ".log");
    List<String> cmd = ServiceJvm.command(List.of(), jvmOptions, String.join(File.pathSeparator, ServiceJvm.classpath()), config);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Waits until the port given at construction (FastAGI, or /metrics for a node without agi) accepts connections. */
  void awaitListening(Duration atMost) throws InterruptedException {
    Process p;
    Path log;
    synchronized (this) {
      p = process;
      log = logDir.resolve("service-" + starts + ".log");
    }
    ServiceJvm.awaitListening(p, agiPort, atMost, () -> " — see " + log);
  }

  /** kill -9: the process gets no chance to finish anything. */
  synchronized void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly(); // SIGKILL on Linux
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: the ordered shutdown of RunCommand's hook. */
  synchronized void stop() throws InterruptedException {
    if (process == null || !process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) kill();
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return process.pid();
  }

  /** Child processes of the service right now (ffmpeg while converting). */
  synchronized List<ProcessHandle> children() {
    return process == null ? List.of() : process.toHandle().children().toList();
  }

  int starts() {
    return starts;
  }

  Optional<Path> lastLog() {
    return starts == 0 ? Optional.empty() : Optional.of(logDir.resolve("service-" + starts + ".log"));
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
