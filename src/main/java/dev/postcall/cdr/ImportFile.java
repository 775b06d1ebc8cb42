package dev.postcall.cdr;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Reads a file's complete lines from an offset to its current end, one transaction per batch. The
 * tailer's {@link Commit} hook writes the file offset into the same transaction, so a crash can
 * neither skip nor repeat a batch.
 */
final class ImportFile {
  private final DataSource ds;
  private final MasterCsvParser parser;
  private final StoreBatch store;
  private final int batchSize;
  private final Clock clock;

  ImportFile(DataSource ds, MasterCsvParser parser, StoreBatch store, int batchSize, Clock clock) {
    this.ds = ds;
    this.parser = parser;
    this.store = store;
    this.batchSize = batchSize;
    this.clock = clock;
  }

  @FunctionalInterface
  interface Commit {
    /** Called inside each batch's transaction with the position after its last line. */
    void atEndOfBatch(Connection c, long endOffset, long endLine) throws SQLException;
  }

  /** Imports from {@code offset} (line {@code line} + 1); progress gets each committed batch's counts. */
  ImportCounts run(SeekableByteChannel ch, String name, long offset, long line, Commit commit,
      Consumer<ImportCounts> progress) throws IOException, SQLException {
    ImportCounts total = new ImportCounts();
    MasterCsvParser.Reader reader = parser.open(ch, name, offset, line);
    while (true) {
      List<ParsedLine> batch = reader.next(batchSize);
      if (batch.isEmpty()) return total;
      ImportCounts counts = new ImportCounts();
      ParsedLine last = batch.get(batch.size() - 1);
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        try {
          store.store(c, batch, clock.instant(), counts);
          if (commit != null) commit.atEndOfBatch(c, last.endOffset(), last.line());
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      }
      total.add(counts);
      if (progress != null) progress.accept(counts);
    }
  }
}
