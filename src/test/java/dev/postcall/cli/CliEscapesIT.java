package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.admin.Seed;
import dev.postcall.queue.Stage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Escape sequences stored in a call (an old row, a SOAP fault text) never reach the admin's terminal. */
class CliEscapesIT {
  static final String CLEAR_AND_RETITLE = "\u001b[2J\u001b]0;owned\u0007";

  @Test
  void failed_list_and_show_print_no_escape_sequence(@TempDir Path dir) throws Exception {
    try (TestDb db = TestDb.create()) {
      Seed seed = new Seed(db.ds(), new MutableClock(Instant.now()));
      seed.failed("700.1", "0301" + CLEAR_AND_RETITLE, Instant.parse("2026-11-21T09:00:00Z"), Stage.CREATE,
          "SOAP fault: " + CLEAR_AND_RETITLE + "\u009b31m");
      Path config = Files.writeString(dir.resolve("p.properties"), db.properties()
          + "recordings.dir=" + dir + "\n");
      for (String[] args : new String[][] {{"failed", "list"}, {"failed", "show", "700.1"}, {"failed", "show", "x\u001b[5m"}}) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        cl.execute(all);
        String both = out + "" + err;
        assertFalse(both.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0x9b), String.join(" ", args) + ": " + both);
        if (args.length == 2) assertTrue(out.toString().contains("0301?[2J?]0;owned?"), out.toString());
      }
    }
  }
}
