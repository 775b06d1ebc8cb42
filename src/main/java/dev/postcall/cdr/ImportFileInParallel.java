package dev.postcall.cdr;

import dev.postcall.DaemonThreads;
import dev.postcall.call.CallRecord;
import dev.postcall.db.Sql;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Imports a whole file with {@value #TRANSACTIONS} batch transactions at work at once ({@code postcall
 * backfill}). Each batch is one LOAD DATA of its calls and one INSERT … SELECT of their jobs, and
 * each statement keeps one server thread busy: while one transaction inserts its jobs and commits,
 * the other's calls are already going in — two cores at work instead of one, the inserts of calls
 * and of jobs waiting on different tables' locks. More transactions would only queue behind those
 * same locks.
 *
 * <p>Batches commit in whatever order they finish, so this is only for imports without a file
 * offset; the tailer commits its offset with each batch, in file order, and stays with {@link
 * ImportFile}. A call whose rows straddle two batches (its Dial row at the end of one, its Hangup
 * row at the start of the next) is inserted by the first and merged by the second: a batch that
 * shares a call with one still at work waits until that one has committed. A deadlock between the
 * two transactions runs the batch InnoDB rolled back again.
 */
final class ImportFileInParallel {
  static final int TRANSACTIONS = 2;

  private final DataSource ds;
  private final MasterCsvParser parser;
  private final StoreBatch store;
  private final int batchSize;
  private final Clock clock;

  ImportFileInParallel(DataSource ds, MasterCsvParser parser, StoreBatch store, int batchSize, Clock clock) {
    this.ds = ds;
    this.parser = parser;
    this.store = store;
    this.batchSize = batchSize;
    this.clock = clock;
  }

  private record Batch(Set<String> calls, Future<ImportCounts> stored) {}

  /** Imports the file from its start; progress gets each committed batch's counts, in file order. */
  ImportCounts run(SeekableByteChannel ch, String name, Consumer<ImportCounts> progress) throws IOException, SQLException {
    ImportCounts total = new ImportCounts();
    MasterCsvParser.Reader reader = parser.open(ch, name, 0, 0);
    ExecutorService workers = Executors.newFixedThreadPool(TRANSACTIONS, DaemonThreads.factory("postcall-import"));
    Deque<Batch> atWork = new ArrayDeque<>();
    try {
      for (List<ParsedLine> lines = reader.next(batchSize); !lines.isEmpty(); lines = reader.next(batchSize)) {
        // Parsing and merging here, the database work in the workers: one thread each.
        ImportCounts read = new ImportCounts();
        List<CallRecord> calls = store.calls(lines, read);
        Set<String> keys = new HashSet<>();
        for (CallRecord r : calls) keys.add(r.uniqueid());
        while (!atWork.isEmpty() && (atWork.size() == TRANSACTIONS || sharesCall(atWork, keys)))
          finish(atWork.removeFirst(), total, progress);
        atWork.addLast(new Batch(keys, workers.submit(() -> Sql.transaction(ds, c -> {
          ImportCounts counts = new ImportCounts(); // afresh for each attempt: a deadlock runs it again
          counts.add(read);
          store.storeCalls(c, calls, clock.instant(), counts);
          return counts;
        }))));
      }
      while (!atWork.isEmpty()) finish(atWork.removeFirst(), total, progress);
      return total;
    } finally {
      // After a failure the other batch still finishes (commits or rolls back) before we return.
      workers.shutdown();
      try {
        workers.awaitTermination(5, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean sharesCall(Deque<Batch> atWork, Set<String> calls) {
    for (Batch b : atWork) {
      if (!Collections.disjoint(b.calls(), calls)) return true;
    }
    return false;
  }

  private static void finish(Batch b, ImportCounts total, Consumer<ImportCounts> progress) throws SQLException {
    ImportCounts counts;
    try {
      counts = b.stored().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("import interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException s) throw s;
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw new IllegalStateException(e.getCause());
    }
    total.add(counts);
    if (progress != null) progress.accept(counts);
  }
}
