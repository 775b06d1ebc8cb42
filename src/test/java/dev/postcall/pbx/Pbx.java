package dev.postcall.pbx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real Asterisk 22 of the kit ({@link PbxKit}) in a folder of its own, driven through the kit's
 * {@code pbx} launcher: up, calls, CLI commands, idle, down. {@link #close()} always stops it.
 */
public final class Pbx implements AutoCloseable {
  private final Path launcher;
  private final Path dir;
  private boolean up;

  private Pbx(Path launcher, Path dir) {
    this.launcher = launcher;
    this.dir = dir;
  }

  /**
   * Starts Asterisk in {@code dir} against postcall's FastAGI port with {@code dialplan} (a file that
   * includes the project's dialplan), in {@code tz} when not null (Asterisk reads its zone from
   * /etc/localtime only; the kit bind-mounts it, root only).
   */
  public static Pbx up(Path dir, int agiPort, Path dialplan, String tz) {
    Pbx pbx = new Pbx(PbxKit.launcherOrSkip(), dir.toAbsolutePath());
    List<String> args = new ArrayList<>(List.of("up", pbx.dir.toString(), "--agi", "127.0.0.1:" + agiPort,
        "--dialplan", dialplan.toAbsolutePath().toString()));
    if (tz != null) args.addAll(List.of("--tz", tz));
    pbx.up = true; // from here on, close() must try to stop it, whatever `up` says
    pbx.run(Duration.ofSeconds(90), args);
    return pbx;
  }

  public Path dir() {
    return dir;
  }

  public Path masterCsv() {
    return dir.resolve("log/cdr-csv/Master.csv");
  }

  public Path recordings() {
    return dir.resolve("recordings");
  }

  /** One call of a kit scenario ({@code pbx call DIR 101 --context pc-h}); returns at once. */
  public void call(String scenario, String context) {
    run(Duration.ofSeconds(30), List.of("call", dir.toString(), scenario, "--context", context));
  }

  /** {@code channel originate Local/EXT@CONTEXT application Wait SECONDS}: a call into one of our own contexts. */
  public void originate(String exten, String context, int waitSeconds) {
    rx("channel originate Local/" + exten + "@" + context + " application Wait " + waitSeconds);
  }

  /** Any CLI command; returns its output. */
  public String rx(String command) {
    return run(Duration.ofSeconds(30), List.of("rx", dir.toString(), command));
  }

  /** Waits until every channel has hung up. */
  public void idle(Duration limit) {
    run(limit.plusSeconds(10), List.of("idle", dir.toString(), Long.toString(limit.toSeconds())));
  }

  /** The lines of Asterisk's own log ({@code log/full*}), for a failure message. */
  public String logTail(int lines) {
    try (var files = Files.list(dir.resolve("log"))) {
      Path full = files.filter(p -> p.getFileName().toString().startsWith("full")).findFirst().orElse(null);
      if (full == null) return "(no log/full)";
      List<String> all = Files.readAllLines(full, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (!up) return;
    up = false;
    run(Duration.ofSeconds(30), List.of("down", dir.toString()));
  }

  private String run(Duration limit, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // The kit's binaries look for libasteriskssl under /opt/asterisk/lib; the unpacked copy has it.
    Map<String, String> env = pb.environment();
    String lib = dir.resolve("asterisk/lib").toString();
    String old = env.get("LD_LIBRARY_PATH");
    env.put("LD_LIBRARY_PATH", old == null || old.isEmpty() ? lib : lib + ":" + old);
    try {
      Path out = Files.createTempFile("pbx-", ".out");
      try {
        Process p = pb.redirectOutput(out.toFile()).start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("pbx " + args + " did not finish in " + limit);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
          throw new IllegalStateException("pbx " + args + " exited " + p.exitValue() + ": " + text.strip());
        return text;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running pbx " + args, e);
    }
  }
}
