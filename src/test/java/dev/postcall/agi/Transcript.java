package dev.postcall.agi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Asterisk 22 FastAGI session as recorded in {@code asterisk/transcripts}: the environment it
 * sent, and what it answered to each {@code GET VARIABLE} / {@code GET FULL VARIABLE ${X}}.
 */
public final class Transcript {
  private static final Pattern LINE = Pattern.compile("^([AL])> \\[\\+\\s*[0-9.]+ ms\\] ?(.*)$");
  private static final Pattern ANSWER = Pattern.compile("^200 result=1 \\((.*)\\)$");

  public final String name;
  public final List<String> env;
  /** Variable → value as Asterisk answered; variables it answered {@code result=0} for are absent. */
  public final Map<String, String> variables;

  private Transcript(String name, List<String> env, Map<String, String> variables) {
    this.name = name;
    this.env = List.copyOf(env);
    this.variables = Map.copyOf(variables);
  }

  public static Transcript load(String resource) {
    try (InputStream in = Transcript.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalArgumentException("no resource " + resource);
      return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Transcript parse(String name, String text) {
    List<String> env = new ArrayList<>();
    Map<String, String> vars = new HashMap<>();
    boolean inEnv = true;
    String pending = null;
    for (String raw : text.split("\n", -1)) {
      Matcher m = LINE.matcher(raw);
      if (!m.matches()) continue;
      String who = m.group(1);
      String body = m.group(2);
      if (who.equals("A") && inEnv) {
        if (body.isEmpty()) inEnv = false;
        else env.add(body);
        continue;
      }
      inEnv = false;
      if (who.equals("L")) {
        pending = body;
        continue;
      }
      if (pending != null) {
        String var = null;
        if (pending.startsWith("GET VARIABLE ")) var = pending.substring(13).trim();
        else if (pending.matches("GET FULL VARIABLE \\$\\{[^}$]+\\}")) var = pending.substring(20, pending.length() - 1);
        if (var != null && !var.isEmpty()) {
          Matcher a = ANSWER.matcher(body);
          if (a.matches()) vars.put(var, a.group(1)); // result=0: unset, left out
        }
        pending = null;
      }
    }
    return new Transcript(name, env, vars);
  }

  public Optional<String> envValue(String key) {
    String p = key + ": ";
    return env.stream().filter(l -> l.startsWith(p)).map(l -> l.substring(p.length())).findFirst();
  }

  public String variable(String name) {
    return variables.getOrDefault(name, "");
  }

  /**
   * The same session for another call: uniqueid replaced in the environment and the CDR, and in the
   * recording's name (the rig records with MixMonitor(${UNIQUEID}.wav): every call has its own file,
   * and postcall keeps a file named after one call away from another).
   */
  public Transcript withUniqueid(String uid) {
    List<String> e = new ArrayList<>();
    for (String l : env) e.add(l.startsWith("agi_uniqueid: ") ? "agi_uniqueid: " + uid : l);
    Map<String, String> v = new HashMap<>(variables);
    String old = envValue("agi_uniqueid").orElse(null);
    String rec = v.get("MIXMONITOR_FILENAME");
    if (old != null && !old.isEmpty() && rec != null) v.put("MIXMONITOR_FILENAME", rec.replace(old + ".", uid + "."));
    v.put("UNIQUEID", uid);
    v.put("CDR(uniqueid)", uid);
    // another call: its own first channel (a linkedid of the recorded call would make it that call's leg)
    v.put("CDR(linkedid)", uid);
    v.put("CHANNEL(linkedid)", uid);
    return new Transcript(name + "@" + uid, e, v);
  }

  /** A copy with environment lines replaced or added (key → value; null removes the line). */
  public Transcript withEnv(Map<String, String> changes) {
    List<String> e = new ArrayList<>();
    Map<String, String> left = new HashMap<>(changes);
    for (String l : env) {
      int c = l.indexOf(':');
      String k = c < 0 ? l : l.substring(0, c);
      if (left.containsKey(k)) {
        String v = left.remove(k);
        if (v != null) e.add(k + ": " + v);
      } else {
        e.add(l);
      }
    }
    left.forEach((k, v) -> { if (v != null) e.add(k + ": " + v); });
    return new Transcript(name, e, variables);
  }

  /** A copy where Asterisk answers these variables differently. */
  public Transcript withVariables(Map<String, String> changes) {
    Map<String, String> v = new HashMap<>(variables);
    v.putAll(changes);
    return new Transcript(name, env, v);
  }

  @Override
  public String toString() {
    return name;
  }
}
