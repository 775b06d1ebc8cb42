package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallTablesDb;
import dev.postcall.TestDb;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code postcall backfill --file PATH [--since]}: imports a file once, with the tailer's dedup. */
class BackfillCommandIT {
  @RegisterExtension static final CallTablesDb db = new CallTablesDb();
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run backfill(String... args) throws IOException {
    Path config = dir.resolve("postcall.properties");
    Files.writeString(config, "db.url=" + db.url() + "\ndb.user=" + TestDb.USER + "\ndb.password=" + TestDb.PASSWORD
        + "\ncsv.contexts=rig\ncdr.timezone=UTC\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    String[] all = new String[args.length + 3];
    all[0] = "backfill";
    all[1] = "--config";
    all[2] = config.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return new Run(cl.execute(all), out.toString(), err.toString());
  }

  private Path realFile() throws IOException {
    Path f = dir.resolve("Master.csv.3");
    try (InputStream in = getClass().getResourceAsStream("/cdr/Master.csv")) {
      Files.copy(in, f);
    }
    return f;
  }

  @Test
  void imports_a_rotated_file_once_and_prints_a_summary() throws IOException {
    Path f = realFile();
    Run first = backfill("--file", f.toString());
    assertEquals(0, first.exit(), first.err());
    assertTrue(first.out().contains("rows read 28, new 9, duplicate 0, malformed 0, not calls 16"), first.out());
    Run again = backfill("--file", f.toString());
    assertTrue(again.out().contains("new 0, duplicate 9"), again.out());
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void since_leaves_out_calls_that_started_before_that_day() throws IOException {
    Run r = backfill("--file", realFile().toString(), "--since", "2026-11-23");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("new 0, duplicate 0, malformed 0, not calls 28"), r.out());
  }

  @Test
  void a_missing_file_is_a_clear_error() throws IOException {
    Run r = backfill("--file", dir.resolve("nope.csv").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("cannot read"), r.err());
  }
}
