package dev.postcall.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulator's Asterisk must be indistinguishable in form from the real one: same
 * environment keys in the same order, and the same answer to every command a real Asterisk 22
 * answered in the recorded transcripts.
 */
class FakeAsteriskTest {
  static Stream<Path> transcripts() throws IOException {
    Path dir = Path.of("src/test/resources/asterisk/transcripts");
    return Files.walk(dir).filter(p -> p.toString().endsWith(".txt") && !p.toString().contains("nouid")).sorted();
  }

  record Transcript(List<String> envKeys, Map<String, String> env, List<String[]> exchanges) {}

  static Transcript parse(Path file) throws IOException {
    List<String> keys = new ArrayList<>();
    Map<String, String> env = new HashMap<>();
    List<String[]> ex = new ArrayList<>();
    boolean inEnv = true;
    String pendingCommand = null;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!raw.startsWith("A>") && !raw.startsWith("L>")) continue;
      String text = raw.substring(raw.indexOf("] ") + 2);
      if (raw.startsWith("A>") && inEnv) {
        if (text.isBlank()) {
          inEnv = false;
          continue;
        }
        int colon = text.indexOf(": ");
        String k = colon < 0 ? text.replace(":", "") : text.substring(0, colon);
        keys.add(k);
        env.put(k, colon < 0 ? "" : text.substring(colon + 2));
      } else if (raw.startsWith("L>")) {
        pendingCommand = text;
      } else if (pendingCommand != null) {
        ex.add(new String[] {pendingCommand, text});
        pendingCommand = null;
      }
    }
    return new Transcript(keys, env, ex);
  }

  /** The variables the transcript's Asterisk reported through GET VARIABLE (result=0 = unset). */
  static Map<String, String> variablesOf(Transcript t) {
    Map<String, String> vars = new HashMap<>();
    for (String[] e : t.exchanges()) {
      if (e[0].startsWith("GET VARIABLE ") && e[1].startsWith("200 result=1 (")) {
        vars.putIfAbsent(e[0].substring(13), e[1].substring(14, e[1].length() - 1));
      }
    }
    return vars;
  }

  @org.junit.jupiter.api.Test
  void evaluates_nested_functions_from_the_inside_out() {
    Map<String, String> vars = Map.of("CDR(clid)", "\"Zoë|B\" <1>", "DIALSTATUS", "BUSY");
    assertEquals("%22Zo%C3%AB%7CB%22%20%3C1%3E|BUSY|",
        FakeAsterisk.substitute("${URIENCODE(${CDR(clid)})}|${DIALSTATUS}|${URIENCODE(${NOPE})}", vars));
  }

  @ParameterizedTest
  @MethodSource("transcripts")
  void answers_every_command_as_the_real_asterisk_did(Path file) throws IOException {
    Transcript t = parse(file);
    Map<String, String> vars = variablesOf(t);
    vars.put("CHANNEL(name)", t.env().get("agi_channel"));
    vars.put("EPOCH", t.exchanges().stream().filter(e -> e[0].equals("GET FULL VARIABLE ${EPOCH}")).map(e -> e[1])
        .findFirst().map(a -> a.substring(14, a.length() - 1)).orElse("0"));
    assertFalse(t.exchanges().isEmpty(), file.toString());
    Map<String, String> session = new HashMap<>(vars);
    for (String[] e : t.exchanges()) {
      String ours = FakeAsterisk.answer(e[0], session).split("\n")[0];
      assertEquals(e[1], ours, file.getFileName() + ": " + e[0]);
    }
  }

  @ParameterizedTest
  @MethodSource("transcripts")
  void sends_the_environment_keys_in_asterisks_order(Path file) throws Exception {
    Transcript t = parse(file);
    try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<List<String>> seen = CompletableFuture.supplyAsync(() -> {
        try (Socket s = server.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          List<String> keys = new ArrayList<>();
          String line;
          while ((line = in.readLine()) != null && !line.isEmpty()) keys.add(line.substring(0, line.indexOf(':')));
          return keys;
        } catch (IOException ex) {
          throw new IllegalStateException(ex);
        }
      });
      Map<String, String> env = FakeAsterisk.environment("127.0.0.1", server.getLocalPort(), "hangup",
          t.env().get("agi_channel"), t.env().get("agi_uniqueid"), "5550200", "Rig Caller", "rig", "unknown");
      t.env().forEach((k, v) -> { if (k.startsWith("agi_arg_")) env.put(k, v); });
      FakeAsterisk.Session s = FakeAsterisk.run(new InetSocketAddress("127.0.0.1", server.getLocalPort()), env, Map.of(), 2000);
      assertEquals(t.envKeys(), seen.get());
      assertTrue(s.completed());
    }
  }
}
