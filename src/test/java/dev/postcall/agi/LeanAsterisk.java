package dev.postcall.agi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmark's load client: Asterisk's side of one transcript's session, as {@link FakeAsterisk}
 * plays it — the same bytes on the wire — but each command's answer is evaluated once and reused
 * with the session's uniqueid put in. FakeAsterisk evaluates the whole expression per session,
 * which took a third of the two cores the server under test needs (Asterisk does that work on its
 * own host).
 */
public final class LeanAsterisk {
  private static final String MARK = "1900000000.999999999";

  private final String env;
  private final Map<String, String> variables;
  private final Map<String, String> answers = new ConcurrentHashMap<>();

  public LeanAsterisk(Transcript t) {
    Transcript marked = t.withUniqueid(MARK);
    this.env = String.join("\n", marked.env) + "\n\n";
    this.variables = marked.variables;
  }

  /** One session for {@code uniqueid}; its time (connect → server's close) in ns. */
  public long session(int port, String uniqueid) throws IOException {
    long t0 = System.nanoTime();
    try (Socket s = FakeAsterisk.connect(port)) {
      OutputStream out = s.getOutputStream();
      Lines in = new Lines(s.getInputStream());
      out.write(env.replace(MARK, uniqueid).getBytes(StandardCharsets.UTF_8));
      out.flush();
      String cmd;
      while ((cmd = in.next()) != null) {
        String marked = cmd.replace(uniqueid, MARK);
        String answer = answers.computeIfAbsent(marked,
            c -> dev.postcall.sim.FakeAsterisk.answer(c, new HashMap<>(variables)));
        out.write((answer.replace(MARK, uniqueid) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      return System.nanoTime() - t0;
    }
  }

  /**
   * Lines from a socket through one buffer: FakeAsterisk's byte-at-a-time read through a
   * BufferedInputStream (a lock per byte) was a seventh of this client's CPU.
   */
  private static final class Lines {
    private final InputStream in;
    private byte[] buf = new byte[4096];
    private int start;
    private int end;

    Lines(InputStream in) {
      this.in = in;
    }

    String next() throws IOException {
      int scanned = start;
      while (true) {
        for (int i = scanned; i < end; i++) {
          if (buf[i] == '\n') {
            String line = new String(buf, start, i - start, StandardCharsets.UTF_8);
            start = i + 1;
            return line;
          }
        }
        scanned = end;
        if (start > 0) { // keep the partial line at the front
          System.arraycopy(buf, start, buf, 0, end - start);
          scanned -= start;
          end -= start;
          start = 0;
        }
        if (end == buf.length) buf = java.util.Arrays.copyOf(buf, 2 * buf.length);
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
          if (end == start) return null;
          String last = new String(buf, start, end - start, StandardCharsets.UTF_8);
          start = end;
          return last;
        }
        end += n;
      }
    }
  }
}
