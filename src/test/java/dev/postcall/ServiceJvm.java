package dev.postcall;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * postcall's service as a child process of a test ({@code java … dev.postcall.cli.Main run
 * --config FILE}): its command line on this test JVM's class path, and the wait until its FastAGI
 * port accepts connections.
 */
public final class ServiceJvm {
  private ServiceJvm() {}

  /** {@code prefix} (e.g. setpriv and its options), then java with {@code jvmOptions} running the service. */
  public static List<String> command(List<String> prefix, List<String> jvmOptions, String classpath, Path config) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath, "dev.postcall.cli.Main", "run", "--config", config.toString()));
    return cmd;
  }

  /**
   * Returns once {@code process} accepts connections on {@code agiPort}; throws if it exits first or
   * {@code atMost} passes, with {@code whereToLook} (the log's name, or its text) in the message.
   */
  public static void awaitListening(Process process, int agiPort, Duration atMost, Supplier<String> whereToLook)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!accepting(agiPort)) {
      if (!process.isAlive()) throw new IllegalStateException("postcall exited with " + process.exitValue() + whereToLook.get());
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("postcall did not open its AGI port in " + atMost.toSeconds() + " s" + whereToLook.get());
      Thread.sleep(20);
    }
  }

  /** True when something accepts connections on 127.0.0.1:{@code port}. */
  public static boolean accepting(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The runtime class path of this test JVM. Under failsafe it may be a manifest-only jar whose
   * Class-Path lists the real entries; those are expanded so the child JVM does not depend on
   * failsafe's temporary booter jar.
   */
  public static List<String> classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
    List<String> out = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isBlank()) continue;
      if (entry.endsWith(".jar") && entry.contains("surefirebooter")) out.addAll(manifestClassPath(Path.of(entry)));
      else out.add(entry);
    }
    return out;
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
}
