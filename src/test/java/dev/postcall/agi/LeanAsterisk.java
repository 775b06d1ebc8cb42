package dev.postcall.agi;

import java.io.BufferedInputStream;
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
      InputStream in = new BufferedInputStream(s.getInputStream());
      out.write(env.replace(MARK, uniqueid).getBytes(StandardCharsets.UTF_8));
      out.flush();
      String cmd;
      while ((cmd = FakeAsterisk.readLine(in)) != null) {
        String marked = cmd.replace(uniqueid, MARK);
        String answer = answers.computeIfAbsent(marked,
            c -> dev.postcall.sim.FakeAsterisk.answer(c, new HashMap<>(variables)));
        out.write((answer.replace(MARK, uniqueid) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      return System.nanoTime() - t0;
    }
  }
}
