package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command, found by walking the command tree (so a new one is covered too): --help and a typo. */
class CommandHelpTest {

  static Stream<List<String>> commands() {
    List<List<String>> paths = new ArrayList<>();
    walk(Main.commandLine(), new ArrayList<>(), paths);
    return paths.stream();
  }

  private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    cl.getSubcommands().forEach((name, sub) -> {
      if (!name.equals(sub.getCommandName())) return; // an alias
      List<String> next = new ArrayList<>(path);
      next.add(name);
      walk(sub, next, out);
    });
  }

  @ParameterizedTest(name = "postcall {0} --help")
  @MethodSource("commands")
  void helpPrintsTheUsageAndExitsZero(List<String> path) {
    Run r = run(path, "--help");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.startsWith("Usage: " + String.join(" ", prepend("postcall", path))), r.out);
    assertTrue(r.out.contains("-h, --help"), r.out);
    assertEquals("", r.err);
  }

  @ParameterizedTest(name = "postcall {0} --no-such-option")
  @MethodSource("commands")
  void anUnknownOptionPrintsTheUsageAndExitsTwo(List<String> path) {
    Run r = run(path, "--no-such-option");
    assertEquals(2, r.code, r.out + r.err);
    assertTrue(r.err.contains("Unknown option: '--no-such-option'"), r.err);
    assertTrue(r.err.contains("Usage: " + String.join(" ", prepend("postcall", path))), r.err);
  }

  @ParameterizedTest(name = "postcall {0} --version")
  @MethodSource("commands")
  void versionAnswersEverywhere(List<String> path) {
    Run r = run(path, "--version");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.startsWith("postcall "), r.out);
  }

  @org.junit.jupiter.api.Test
  void theTreeHoldsEveryCommand() {
    List<String> names = commands().map(p -> String.join(" ", p)).toList();
    for (String expected : List.of("run", "demo", "doctor", "simulate", "incident-sim", "backfill", "failed", "failed list",
        "failed show", "failed retry", "failed discard", "stats")) {
      assertTrue(names.contains(expected), expected + " not in " + names);
    }
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(List<String> path, String option) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(path);
    args.add(option);
    int code = cl.execute(args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }
}
