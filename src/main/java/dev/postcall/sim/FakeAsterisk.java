package dev.postcall.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Plays Asterisk's side of a FastAGI session from the {@code h} extension, as a real Asterisk 22
 * does (see {@code ../shared/asterisk/transcripts}): the {@code agi_*} environment in Asterisk's
 * order, then an answer to every command until the server closes the socket — {@code 200
 * result=1 (value)} / {@code result=0} for GET VARIABLE, substitution for GET FULL VARIABLE, 511
 * for commands not allowed on a dead channel, 510 for unknown ones.
 */
public final class FakeAsterisk {
  /** The environment keys in the order Asterisk 22.10 sends them. */
  public static final String[] ENV_ORDER = {
      "agi_network", "agi_network_script", "agi_request", "agi_channel", "agi_language", "agi_type",
      "agi_uniqueid", "agi_version", "agi_callerid", "agi_calleridname", "agi_callingpres", "agi_callingani2",
      "agi_callington", "agi_callingtns", "agi_dnid", "agi_rdnis", "agi_context", "agi_extension",
      "agi_priority", "agi_enhanced", "agi_accountcode", "agi_threadid"};
  private static final Set<String> DEAD_CHANNEL = Set.of("CHANNEL", "ANSWER", "STREAM", "WAIT", "SAY", "HANGUP",
      "CONTROL", "GET", "RECEIVE", "RECORD", "SEND", "SET", "TDD", "SPEECH");

  /** What one session looked like from Asterisk's side. */
  public record Session(long micros, int commands, boolean completed) {}

  private FakeAsterisk() {}

  /** The environment of an {@code h}-extension session for a call. */
  public static Map<String, String> environment(String host, int port, String script, String channel, String uniqueid,
      String callerId, String callerName, String context, String dnid) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("agi_network", "yes");
    env.put("agi_network_script", script);
    env.put("agi_request", "agi://" + host + ":" + port + "/" + script);
    env.put("agi_channel", channel);
    env.put("agi_language", "en");
    env.put("agi_type", channel.substring(0, Math.max(0, channel.indexOf('/'))));
    env.put("agi_uniqueid", uniqueid);
    env.put("agi_version", "22.10.1");
    env.put("agi_callerid", callerId);
    env.put("agi_calleridname", callerName);
    env.put("agi_callingpres", "0");
    env.put("agi_callingani2", "0");
    env.put("agi_callington", "0");
    env.put("agi_callingtns", "0");
    env.put("agi_dnid", dnid);
    env.put("agi_rdnis", "unknown");
    env.put("agi_context", context);
    env.put("agi_extension", "h");
    env.put("agi_priority", "1");
    env.put("agi_enhanced", "0.0");
    env.put("agi_accountcode", "");
    env.put("agi_threadid", String.valueOf(140_000_000_000_000L + (uniqueid.hashCode() & 0x7fffffff)));
    return env;
  }

  /**
   * Connects, sends the environment, answers commands from {@code variables} (unset = absent key)
   * until the server hangs up. Never throws for protocol surprises; an I/O error is returned as an
   * incomplete session.
   */
  public static Session run(InetSocketAddress server, Map<String, String> env, Map<String, String> variables, int timeoutMs) {
    long t0 = System.nanoTime();
    int commands = 0;
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(timeoutMs);
      s.connect(server, timeoutMs);
      OutputStream out = s.getOutputStream();
      StringBuilder hello = new StringBuilder(768);
      for (String k : ENV_ORDER) if (env.containsKey(k)) hello.append(k).append(": ").append(env.get(k)).append('\n');
      for (int i = 1; env.containsKey("agi_arg_" + i); i++) hello.append("agi_arg_").append(i).append(": ").append(env.get("agi_arg_" + i)).append('\n');
      hello.append('\n');
      out.write(hello.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      Map<String, String> channelVars = new java.util.HashMap<>(variables); // SET VARIABLE works on the dead channel
      String line;
      while ((line = in.readLine()) != null) {
        commands++;
        out.write((answer(line, channelVars) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      return new Session((System.nanoTime() - t0) / 1000, commands, true);
    } catch (IOException e) {
      return new Session((System.nanoTime() - t0) / 1000, commands, false);
    }
  }

  /** Asterisk's reply to one command line on a hung-up channel; SET VARIABLE changes {@code variables}. */
  public static String answer(String line, Map<String, String> variables) {
    // (variables must be mutable: SET VARIABLE changes them)
    String cmd = line.strip();
    String upper = cmd.toUpperCase(java.util.Locale.ROOT);
    if (upper.startsWith("GET FULL VARIABLE ")) {
      return "200 result=1 (" + substitute(unquote(cmd.substring(18)), variables) + ")";
    }
    if (upper.startsWith("GET VARIABLE ")) {
      String name = unquote(cmd.substring(13));
      String v = variables.get(name);
      if (v == null) return name.startsWith("CDR(") ? "200 result=1 ()" : "200 result=0";
      return "200 result=1 (" + v + ")";
    }
    if (upper.equals("GET VARIABLE") || upper.equals("GET FULL VARIABLE")) {
      return "520-Invalid command syntax.  Proper usage follows:\n"
          + "Usage: " + upper + " <variablename>\n520 End of proper usage.";
    }
    if (upper.startsWith("SET VARIABLE ")) {
      String[] nv = cmd.substring(13).strip().split(" ", 2);
      if (nv.length == 2) variables.put(unquote(nv[0]), unquote(nv[1]));
      return "200 result=1";
    }
    if (upper.startsWith("VERBOSE")) return "200 result=1";
    if (upper.startsWith("NOOP") || upper.startsWith("EXEC")) return "200 result=0";
    String first = upper.split(" ", 2)[0];
    if (DEAD_CHANNEL.contains(first)) return "511 Command Not Permitted on a dead channel or intercept routine";
    return "510 Invalid or unknown command";
  }

  /** Substitutes every {@code ${…}}, nested ones first, as pbx_substitute_variables does. */
  static String substitute(String expr, Map<String, String> variables) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < expr.length()) {
      if (!expr.startsWith("${", i)) {
        out.append(expr.charAt(i++));
        continue;
      }
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
      out.append(evaluate(substitute(expr.substring(i + 2, Math.max(i + 2, j - 1)), variables), variables));
      i = j;
    }
    return out.toString();
  }

  private static String evaluate(String name, Map<String, String> variables) {
    if (name.startsWith("URIENCODE(") && name.endsWith(")")) return uriEncode(name.substring(10, name.length() - 1));
    return variables.getOrDefault(name, "");
  }

  private static final String HEX = "0123456789ABCDEF";

  /** Asterisk's URIENCODE: everything but letters, digits and -_.!~*'() as %XX of the UTF-8 bytes. */
  static String uriEncode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (Character.isLetterOrDigit(c) && c < 128 || "-_.!~*'()".indexOf(c) >= 0) out.append((char) c);
      else out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
    }
    return out.toString();
  }

  /** Asterisk's argument parsing: surrounding quotes removed, backslash escapes undone. */
  static String unquote(String s) {
    String t = s.strip();
    if (t.length() < 2 || t.charAt(0) != '"' || t.charAt(t.length() - 1) != '"') return t;
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < t.length() - 1; i++) {
      char c = t.charAt(i);
      if (c == '\\' && i + 1 < t.length() - 1) c = t.charAt(++i);
      b.append(c);
    }
    return b.toString();
  }
}
