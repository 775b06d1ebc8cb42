package dev.postcall.cli;

import dev.postcall.db.OpenDatabase;
import dev.postcall.cdr.BackfillFile;
import dev.postcall.cdr.ImportCounts;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.db.Database;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code postcall backfill --file PATH [--since YYYY-MM-DD]}: imports an old or rotated Master.csv
 * once, with the tailer's parser, call selection and dedup; prints progress and a summary.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true, description = "Import the calls of a Master.csv file once (old or rotated files).")
final class BackfillCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--file", required = true, description = "The Master.csv file to import.")
  Path file;

  @Option(names = "--since", description = "Only calls that started on or after this day (YYYY-MM-DD, in cdr.timezone).")
  LocalDate since;

  @Option(names = "--progress-every", defaultValue = "100000", description = "Print progress every N rows (default: ${DEFAULT-VALUE}).")
  long progressEvery;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isReadable(file)) {
      err.println("backfill: cannot read " + file);
      return 2;
    }
    PostcallConfig cfg = config.load();
    try (OpenDatabase open = OpenDatabase.open(cfg.db())) {
      Database db = open.db();
      db.migrate();
      long[] lines = {0, 0};
      ImportCounts total = new BackfillFile(cfg.csv(), db.csvImport(), Clock.systemUTC()).run(file, since, batch -> {
        lines[0] += batch.lines();
        if (lines[0] - lines[1] >= progressEvery) {
          lines[1] = lines[0];
          out.println("… " + lines[0] + " rows read");
          out.flush();
        }
      });
      out.println("backfill of " + file + " done: " + total);
      return 0;
    }
  }
}
