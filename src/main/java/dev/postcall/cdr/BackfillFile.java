package dev.postcall.cdr;

import dev.postcall.config.PostcallConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Imports one file by hand ({@code postcall backfill --file}): an old or rotated Master.csv, with
 * the tailer's parser, call selection, merge and dedup, optionally only calls that started on or
 * after a day. Does not touch the tailer's offsets, so its batches may commit out of order: two at
 * a time ({@link ImportFileInParallel}).
 */
public final class BackfillFile {
  private final PostcallConfig.Csv csv;
  private final DataSource ds;
  private final Clock clock;

  /** @param ds {@code Database.csvImport()} (any other pool works, with multi-row INSERTs instead of LOAD DATA) */
  public BackfillFile(PostcallConfig.Csv csv, DataSource ds, Clock clock) {
    this.csv = csv;
    this.ds = ds;
    this.clock = clock;
  }

  /**
   * @param since first day to import (in the CDR's zone), or null for all
   * @param progress gets the counts of every committed batch
   */
  public ImportCounts run(Path file, LocalDate since, Consumer<ImportCounts> progress) throws IOException, SQLException {
    Predicate<CdrRow> isCall = CallSelector.from(csv)::isCall;
    if (since != null) {
      Instant from = since.atStartOfDay(csv.zone()).toInstant();
      isCall = isCall.and(r -> !r.start().isBefore(from));
    }
    ImportFileInParallel importer = new ImportFileInParallel(ds, Backfill.parser(csv), new StoreBatch(isCall, true, false, new CdrNotices(), csv.pbxId()),
        csv.batchSize(), clock);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return importer.run(ch, file.toString(), progress);
    }
  }
}
