package dev.postcall.pbx;

import dev.postcall.ServiceJvm;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * postcall as a separate process running as {@code nobody} (uid/gid 65534, no groups, through
 * {@code setpriv}): it cannot see Asterisk's {@code /proc/<pid>/fd}, as with the README's install
 * as user {@code postcall}. Its working folder {@code home} belongs to nobody; the test JVM's jars
 * (under root's 0700 home) are hard-linked into a folder nobody can read.
 */
final class UnprivilegedPostcall implements AutoCloseable {
  static final int NOBODY = 65534;
  private final Path home;
  private final Path log;
  private final int agiPort;
  private Process process;

  UnprivilegedPostcall(Path home, int agiPort) {
    this.home = home;
    this.agiPort = agiPort;
    this.log = home.getParent().resolve("postcall.log");
  }

  Path log() {
    return log;
  }

  String logText() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** Writes the configuration and starts postcall as nobody; returns once its FastAGI port accepts. */
  void start(Map<String, String> settings) throws IOException, InterruptedException {
    Path config = home.resolve("postcall.properties");
    Properties p = new Properties();
    p.putAll(settings);
    try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      p.store(w, "RecordingPbxIT");
    }
    chownTree(home);
    List<String> cmd = ServiceJvm.command(
        List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), readableClasspath(home.getParent().resolve("lib")),
        config);
    process = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    ServiceJvm.awaitListening(process, agiPort, Duration.ofSeconds(90), () -> {
      try {
        return ":\n" + logText();
      } catch (IOException e) {
        return " (log unreadable: " + e.getMessage() + ")";
      }
    });
  }

  /** The user the process runs as, from /proc (proves the test runs what it says). */
  int uid() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")))
      if (line.startsWith("Uid:")) return Integer.parseInt(line.split("\\s+")[1]);
    throw new IllegalStateException("no Uid line");
  }

  @Override
  public void close() throws InterruptedException {
    if (process == null || !process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static void chownTree(Path root) throws IOException {
    try (var s = Files.walk(root)) {
      for (Path p : s.toList()) {
        Files.setAttribute(p, "unix:uid", NOBODY, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", NOBODY, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /** This JVM's class path, its jars hard-linked (or copied) into {@code lib}, which nobody may read. */
  private static String readableClasspath(Path lib) throws IOException {
    Files.createDirectories(lib);
    List<String> out = new ArrayList<>();
    int i = 0;
    for (String entry : ServiceJvm.classpath()) {
      Path e = Path.of(entry);
      if (Files.isDirectory(e) || !Files.exists(e)) {
        out.add(entry);
        continue;
      }
      Path copy = lib.resolve((i++) + "-" + e.getFileName());
      if (!Files.exists(copy)) {
        try {
          Files.createLink(copy, e);
        } catch (IOException | UnsupportedOperationException x) {
          Files.copy(e, copy);
        }
      }
      out.add(copy.toString());
    }
    return String.join(File.pathSeparator, out);
  }
}
