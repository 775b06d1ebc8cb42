package dev.postcall.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** One run of postcall's command line in this JVM: its exit code and what it printed. */
record CliRun(int rc, String out, String err) {
  /** {@code postcall ARGS --config CONFIG} (no --config after --help), enum values in any case. */
  static CliRun of(Path config, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--help")) {
      all.add("--config");
      all.add(config.toString());
    }
    int rc = cl.execute(all.toArray(String[]::new));
    return new CliRun(rc, out.toString(), err.toString());
  }
}
