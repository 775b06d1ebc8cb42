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
import java.util.List;

/**
 * Plays Asterisk's side of a FastAGI session from a {@link Transcript}: connects, sends the
 * environment and a blank line, then answers each command as that Asterisk did — variables from
 * the transcript (unset → {@code result=0}, or empty inside an expression), {@code ${URIENCODE()}}
 * evaluated as Asterisk's func_uri does, {@code 511} for commands refused on a dead channel,
 * {@code 200 result=1} for asterisk-java's closing {@code SET VARIABLE "AJ_AGISTATUS"}.
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

  public Session play(Transcript t) throws IOException {
    long t0 = System.nanoTime();
    List<String> commands = new ArrayList<>();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      StringBuilder env = new StringBuilder();
      for (String l : t.env) env.append(l).append('\n');
      env.append('\n');
      out.write(env.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      boolean first = true;
      String cmd;
      while ((cmd = readLine(in)) != null) {
        commands.add(cmd);
        String answer = answer(t, cmd);
        if (first && hangupLineFirst) answer = "HANGUP\n" + answer;
        first = false;
        out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      return new Session(commands, System.nanoTime() - t0, true);
    }
  }

  String answer(Transcript t, String cmd) {
    if (cmd.startsWith("GET FULL VARIABLE ")) {
      if (refuseGetFull) return DEAD;
      return "200 result=1 (" + evaluate(t, unquote(cmd.substring(18).trim())) + ")";
    }
    if (cmd.startsWith("GET VARIABLE ")) {
      String v = unquote(cmd.substring(13).trim());
      return t.variables.containsKey(v) ? "200 result=1 (" + t.variable(v) + ")" : "200 result=0";
    }
    if (cmd.startsWith("SET VARIABLE ") || cmd.startsWith("VERBOSE ") || cmd.startsWith("EXEC ")) return "200 result=1";
    if (cmd.startsWith("NOOP")) return "200 result=0";
    for (String d : List.of("ANSWER", "HANGUP", "CHANNEL STATUS", "STREAM FILE", "WAIT FOR DIGIT", "SAY ")) {
      if (cmd.startsWith(d)) return DEAD;
    }
    return "510 Invalid or unknown command";
  }

  static final String DEAD = "511 Command Not Permitted on a dead channel or intercept routine";

  /** Asterisk's argument parsing: surrounding quotes removed, backslash escapes undone. */
  static String unquote(String s) {
    if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') return s;
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() - 1) c = s.charAt(++i);
      b.append(c);
    }
    return b.toString();
  }

  /** Substitutes every {@code ${…}} (nested first), like pbx_substitute_variables. */
  static String evaluate(Transcript t, String expr) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < expr.length()) {
      if (expr.startsWith("${", i)) {
        int depth = 1;
        int j = i + 2;
        while (j < expr.length() && depth > 0) {
          if (expr.startsWith("${", j)) {
            depth++;
            j += 2;
            continue;
          }
          if (expr.charAt(j) == '}') depth--;
          j++;
        }
        String inner = evaluate(t, expr.substring(i + 2, j - 1));
        out.append(resolve(t, inner));
        i = j;
      } else {
        out.append(expr.charAt(i++));
      }
    }
    return out.toString();
  }

  private static String resolve(Transcript t, String name) {
    if (name.startsWith("URIENCODE(") && name.endsWith(")")) return uriencode(name.substring(10, name.length() - 1));
    return t.variable(name);
  }

  private static final String HEX = "0123456789ABCDEF";

  /** Asterisk's ast_uri_encode with ast_uri_http: unreserved = alnum and -_.!~*'(); else %XX. */
  static String uriencode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xFF;
      boolean alnum = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
      if (alnum || "-_.!~*'()".indexOf(c) >= 0) b.append((char) c);
      else b.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
    }
    return b.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') b.write(c);
    if (c < 0 && b.size() == 0) return null;
    return b.toString(StandardCharsets.UTF_8);
  }
}
