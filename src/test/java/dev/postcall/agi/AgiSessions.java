package dev.postcall.agi;

import dev.postcall.fuzz.Inputs;
import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Generates mutated FastAGI sessions (Asterisk's side) from the real transcripts: the environment,
 * the answer to the hangup query and the answer to asterisk-java's closing SET VARIABLE, with
 * damage — truncation, garbage and non-UTF-8 bytes, huge lines, no blank line after the
 * environment, odd answers (511, 520 multi-line, HANGUP lines, result=0, a broken parenthesis),
 * odd environment values and {@code agi_arg_} lines.
 */
final class AgiSessions {
  /** One generated session: the bytes of each of Asterisk's turns, and what it carried. */
  record Session(String kind, byte[] env, List<byte[]> answers, String uniqueid, boolean carries) {
    /** The whole session as one stream (for the in-process reader). */
    byte[] all() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(env);
      for (byte[] a : answers) b.writeBytes(a);
      return b.toByteArray();
    }
  }

  static final List<String> ODD_ANSWERS = List.of(
      FakeAsterisk.DEAD,
      "520-Invalid command syntax.  Proper usage follows:\nUsage: GET FULL VARIABLE <variablename> [<channel name>]\n"
          + "     Evaluates the given expression.\n520 End of proper usage.",
      "510 Invalid or unknown command", "200 result=0", "200 result=-1", "200 result=1", "200 result=1 (",
      "200 result=1 ()", "200 result=1 (a|b)", "HANGUP", "HANGUP\n" + FakeAsterisk.DEAD, "", "garbage", "200",
      "200 result=1 (||||||||||||)", "200 result=1 (%|%%|%G|%0|%C3|%FF|%00|%0A|+|(|)|\\|\")",
      "520 End of proper usage.", "520-", "999 result=1 (x)", "-1", "200 result=1 endpos=12345");

  private final List<Transcript> transcripts;

  AgiSessions() {
    try {
      List<Transcript> all = new ArrayList<>();
      for (String dir : List.of("endbeforehexten-yes", "endbeforehexten-no", "args-race", "probe-variants")) {
        Path p = Path.of(AgiSessions.class.getResource("/asterisk/transcripts/" + dir).toURI());
        try (Stream<Path> files = Files.list(p)) {
          for (Path f : files.sorted().toList()) {
            Transcript t = Transcript.load("/asterisk/transcripts/" + dir + "/" + f.getFileName());
            if (t.envValue("agi_uniqueid").isPresent()) all.add(t.withEnv(java.util.Map.of("agi_network_script", "hangup",
                "agi_request", "agi://127.0.0.1/hangup")));
          }
        }
      }
      this.transcripts = List.copyOf(all);
    } catch (URISyntaxException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The real answer the transcript's Asterisk gives to the hangup query. */
  static String queryAnswer(Transcript t) {
    return dev.postcall.sim.FakeAsterisk.answer("GET FULL VARIABLE " + HangupQuery.EXPRESSION,
        new java.util.HashMap<>(t.variables));
  }

  /** A session for uniqueid {@code uid}: clean about one time in five, else damaged. */
  Session generate(Random r, String uid) {
    Transcript t = Inputs.pick(r, transcripts).withUniqueid(uid);
    List<String> env = new ArrayList<>(t.env);
    String kind = "clean";
    // environment damage that keeps the uniqueid and the script name
    if (r.nextInt(3) == 0) {
      kind = "odd-env";
      int n = 1 + r.nextInt(4);
      for (int k = 0; k < n; k++) {
        switch (r.nextInt(7)) {
          case 0 -> env.add(Inputs.pick(r, "agi_arg_1: ", "agi_arg_x: y", "agi_arg_: z", "agi_arg_99999999999: a",
              "agi_arg_-1: b", "agi_arg_2: UNIQUEID=" + Inputs.text(r, 8), "agi_arg_1: MIXMONITOR_FILENAME=../../etc/passwd",
              "agi_arg_1: RECORDING=" + Inputs.text(r, 30)));
          case 1 -> env.add(Inputs.text(r, 40).replace("\n", "")); // a line without a proper key
          case 2 -> env.add(Inputs.pick(r, "agi_callerid", "agi_calleridname", "agi_channel", "agi_context",
              "agi_extension", "agi_accountcode", "agi_priority", "agi_enhanced", "agi_callingpres") + ": "
              + Inputs.text(r, 60).replace("\n", ""));
          case 3 -> env.add("agi_calleridname: " + "N".repeat(r.nextInt(80_000)));
          case 4 -> env.add(r.nextInt(env.size() + 1), "agi_" + Inputs.pick(r, "uniqueid", "network_script", "request")
              + ": " + Inputs.text(r, 10).replace("\n", "")); // a second one: which wins is asterisk-java's call
          case 5 -> env.add(":");
          default -> env.add("agi_callerid: \"" + Inputs.text(r, 10).replace("\n", "") + "\" <" + Inputs.text(r, 5) + ">");
        }
      }
    }
    String answer = queryAnswer(t);
    List<String> answers = new ArrayList<>();
    if (r.nextInt(3) == 0) {
      kind += "+odd-answer";
      switch (r.nextInt(5)) {
        case 0 -> answer = Inputs.pick(r, ODD_ANSWERS);
        case 1 -> answer = "HANGUP\n".repeat(1 + r.nextInt(r.nextInt(20) == 0 ? 200_000 : 5)) + answer;
        case 2 -> answer = answer.substring(0, r.nextInt(answer.length())); // cut short
        case 3 -> answer = answer + "X".repeat(r.nextInt(100_000)); // no closing parenthesis at the end
        default -> answer = answer.replace("|", Inputs.pick(r, "||", "", "|%", "\r|"));
      }
    }
    answers.add(answer + "\n");
    answers.add(Inputs.pick(r, "200 result=1", "200 result=1", "510 Invalid or unknown command", "") + "\n");
    boolean blankLine = true;
    byte[] envBytes = lines(env, r);
    if (r.nextInt(8) == 0) {
      kind += "+no-blank-line";
      blankLine = false;
    }
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    e.writeBytes(envBytes);
    if (blankLine) e.write('\n');
    byte[] envOut = e.toByteArray();
    List<byte[]> answerBytes = new ArrayList<>();
    for (String a : answers) answerBytes.add(a.getBytes(StandardCharsets.UTF_8));
    // byte-level damage anywhere: garbage, non-UTF-8, truncation
    if (r.nextInt(4) == 0) {
      kind += "+bytes";
      int which = r.nextInt(1 + answerBytes.size());
      byte[] target = which == 0 ? envOut : answerBytes.get(which - 1);
      byte[] damaged = damage(r, target);
      if (which == 0) {
        envOut = damaged;
      } else {
        answerBytes.set(which - 1, damaged);
      }
    }
    if (r.nextInt(10) == 0) {
      kind += "+truncated";
      int which = r.nextInt(1 + answerBytes.size());
      if (which == 0) {
        envOut = java.util.Arrays.copyOf(envOut, r.nextInt(envOut.length + 1));
        answerBytes.clear();
      } else {
        byte[] a = answerBytes.get(which - 1);
        answerBytes.set(which - 1, java.util.Arrays.copyOf(a, r.nextInt(a.length + 1)));
        answerBytes.subList(which, answerBytes.size()).clear();
      }
    }
    return new Session(kind, envOut, answerBytes, uid, carries(envOut, uid));
  }

  /**
   * Whether the environment certainly hands the call to the hangup script with this uniqueid: a
   * blank line ends it, and before that the uniqueid, script and request lines are each there once
   * and intact.
   */
  static boolean carries(byte[] env, String uid) {
    String s = new String(env, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    int end = s.indexOf("\n\n");
    if (end < 0 || s.startsWith("\n")) return false;
    List<String> lines = List.of(s.substring(0, end).split("\n", -1));
    return once(lines, "agi_uniqueid", "agi_uniqueid: " + uid) && once(lines, "agi_network_script", "agi_network_script: hangup")
        && once(lines, "agi_request", "agi_request: agi://127.0.0.1/hangup");
  }

  private static boolean once(List<String> lines, String key, String want) {
    List<String> found = lines.stream().filter(l -> l.startsWith(key + ":")).toList();
    return found.size() == 1 && found.get(0).equals(want);
  }

  /** Environment lines, sometimes with CRLF endings. */
  private static byte[] lines(List<String> env, Random r) {
    String eol = r.nextInt(10) == 0 ? "\r\n" : "\n";
    StringBuilder b = new StringBuilder();
    for (String l : env) b.append(l).append(eol);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] damage(Random r, byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = in.length == 0 ? 0 : r.nextInt(in.length);
    out.write(in, 0, at);
    switch (r.nextInt(4)) {
      case 0 -> out.writeBytes(Inputs.badUtf8(r));
      case 1 -> { for (int k = r.nextInt(40); k > 0; k--) out.write(r.nextInt(256)); }
      case 2 -> out.writeBytes(Inputs.text(r, 20).getBytes(StandardCharsets.UTF_8));
      default -> out.write(0);
    }
    out.write(in, at, in.length - at);
    return out.toByteArray();
  }
}
