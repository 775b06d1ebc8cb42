package dev.postcall.agi;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays Asterisk's side of a FastAGI session from a {@link Transcript}: connects, sends the
 * environment and a blank line, then answers each command as that Asterisk did — variables from
 * the transcript (unset → {@code result=0}, or empty inside an expression), {@code ${URIENCODE()}}
 * evaluated as Asterisk's func_uri does, {@code 511} for commands refused on a dead channel,
 * {@code 200 result=1} for asterisk-java's closing {@code SET VARIABLE "AJ_AGISTATUS"} (postcall ends
 * the session before it, but a script that does not still gets Asterisk's answer).
 */
public final class FakeAsterisk {
  /** What the session looked like from Asterisk's side. */
  public record Session(List<String> commands, long nanos, boolean closedByServer) {}

  private final int port;
  private boolean hangupLineFirst;
  private boolean refuseGetFull;

  public FakeAsterisk(int port) {
    this.port = port;
  }

  /** Send a bare {@code HANGUP} line before the first answer (old Asterisk, hangup handlers). */
  public FakeAsterisk hangupLineFirst() {
    hangupLineFirst = true;
    return this;
  }

  /** Answer GET FULL VARIABLE with 511 (a channel that refuses everything). */
  public FakeAsterisk refuseGetFull() {
    refuseGetFull = true;
    return this;
  }

  /** A connection as Asterisk opens one: 5 s to connect, 10 s read timeout, no Nagle delay. */
  static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  public Session play(Transcript t) throws IOException {
    long t0 = System.nanoTime();
    List<String> commands = new ArrayList<>();
    try (Socket s = connect(port)) {
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      StringBuilder env = new StringBuilder();
      for (String l : t.env) env.append(l).append('\n');
      env.append('\n');
      out.write(env.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      boolean first = true;
      Map<String, String> channel = new HashMap<>(t.variables); // SET VARIABLE changes it
      String cmd;
      while ((cmd = readLine(in)) != null) {
        commands.add(cmd);
        String answer = answer(channel, cmd);
        if (first && hangupLineFirst) answer = "HANGUP\n" + answer;
        first = false;
        out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      return new Session(commands, System.nanoTime() - t0, true);
    }
  }

  /** The transcript's Asterisk answers as the simulator's does; only the switches are ours. */
  String answer(Map<String, String> channel, String cmd) {
    if (refuseGetFull && cmd.startsWith("GET FULL VARIABLE ")) return DEAD;
    return dev.postcall.sim.FakeAsterisk.answer(cmd, channel);
  }

  static final String DEAD = "511 Command Not Permitted on a dead channel or intercept routine";

  /** One line as Asterisk's side reads it: up to '\n', UTF-8; null at the end of the stream. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') b.write(c);
    if (c < 0 && b.size() == 0) return null;
    return b.toString(StandardCharsets.UTF_8);
  }
}
