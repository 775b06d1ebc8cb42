package dev.postcall.admin;

import dev.postcall.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The running Asterisk's CLI over its control socket ({@code asterisk [-C asterisk.conf] -rx
 * COMMAND}), for what the configuration files cannot tell: which modules and CDR backends are
 * really loaded. Needs a user that may connect to the socket (root or the socket's group).
 */
public final class AsteriskCli {
  /** A command's output, or why Asterisk could not be asked ({@code output} is then null). */
  public record Reply(String output, String failure) {
    public boolean answered() {
      return output != null;
    }
  }

  private final Path binary;
  private final Path config;
  private final Duration timeout;

  /** {@code config}: Asterisk's asterisk.conf (it names the control socket), or null for Asterisk's built-in one. */
  public AsteriskCli(Path binary, Path config, Duration timeout) {
    this.binary = binary;
    this.config = config;
    this.timeout = timeout;
  }

  /**
   * {@code binary} as given if it holds a slash, else looked up on PATH and in the sbin folders (an
   * admin's PATH may lack them); {@code etc}/asterisk.conf if it is readable.
   */
  public static AsteriskCli find(String binary, Path etc, Duration timeout) {
    Path bin = Path.of(binary);
    if (!binary.contains("/")) {
      List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
      dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
      bin = dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, binary)).filter(Files::isExecutable)
          .findFirst().orElse(bin);
    }
    Path conf = etc == null ? null : etc.resolve("asterisk.conf");
    return new AsteriskCli(bin, conf != null && Files.isReadable(conf) ? conf : null, timeout);
  }

  public Reply rx(String command) {
    if (!Files.isExecutable(binary)) {
      return new Reply(null, binary.getParent() == null ? binary + " is not on PATH nor in /usr/sbin" : "no executable " + binary);
    }
    List<String> cmd = new ArrayList<>(List.of(binary.toString()));
    if (config != null) cmd.addAll(List.of("-C", config.toString()));
    cmd.addAll(List.of("-rx", command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      // read on a thread of its own, so that the timeout below bounds a hung Asterisk
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader = DaemonThreads.start("asterisk-rx", () -> {
        try {
          p.getInputStream().transferTo(out);
        } catch (IOException e) {
          // the process was killed
        }
      });
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Reply(null, "asterisk -rx '" + command + "' did not answer within " + timeout.toSeconds() + " s");
      }
      reader.join(1000);
      String text = out.toString(StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        String last = text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("exit " + p.exitValue());
        return new Reply(null, last);
      }
      return new Reply(text, null);
    } catch (IOException e) {
      return new Reply(null, "cannot run " + binary + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply(null, "interrupted");
    }
  }

  @Override
  public String toString() {
    return binary + (config == null ? "" : " -C " + config) + " -rx";
  }
}
