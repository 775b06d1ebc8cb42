package dev.postcall.chaos;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

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
  synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) throw new IllegalStateException("already running");
    starts++;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add("dev.postcall.cli.Main");
    cmd.add("run");
    cmd.add("--config");
    cmd.add(config.toString());
    Path log = logDir.resolve("service-" + starts + ".log");
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!listening()) {
      if (!process.isAlive()) throw new IllegalStateException("postcall exited with " + process.exitValue() + " — see " + log);
      if (System.nanoTime() > deadline) throw new IllegalStateException("postcall did not open its AGI port in 60 s — see " + log);
      Thread.sleep(20);
    }
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", agiPort), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
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

  /**
   * The runtime classpath of this test JVM. Under failsafe it may be a manifest-only jar whose
   * Class-Path lists the real entries; those are expanded so the child JVM does not depend on
   * failsafe's temporary booter jar.
   */
  static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
    List<String> out = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isBlank()) continue;
      if (entry.endsWith(".jar") && entry.contains("surefirebooter")) out.addAll(manifestClassPath(Path.of(entry)));
      else out.add(entry);
    }
    return String.join(File.pathSeparator, out);
  }

  private static List<String> manifestClassPath(Path jar) {
    try (JarFile j = new JarFile(jar.toFile())) {
      Manifest m = j.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
      if (cp == null) return List.of(jar.toString());
      List<String> out = new ArrayList<>();
      for (String url : cp.trim().split("\\s+")) out.add(Path.of(java.net.URI.create(url)).toString());
      return out;
    } catch (IOException | IllegalArgumentException e) {
      return List.of(jar.toString());
    }
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
