package dev.postcall.cdr;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly safety net of one tailer node: re-reads each of its configured files and the newest
 * rotated sibling from the start and inserts every call that is missing — whatever the tailer or the AGI path lost, e.g.
 * after the offset table was lost or restored from an old backup. Known calls are only counted
 * (timing merges are the tailer's job), and the tailer's offsets are not touched.
 */
public final class SweepMasterCsv {
  private static final Logger log = LoggerFactory.getLogger(SweepMasterCsv.class);

  private final List<Path> files;
  private final ImportFile importer;
  private final CsvMetrics metrics;

  private final HistoryHorizon horizon;

  SweepMasterCsv(List<Path> files, ImportFile importer, CsvMetrics metrics) {
    this(files, importer, metrics, null);
  }

  /** @param horizon the history the tailer skipped at first sight, which the sweep leaves alone too (null: none) */
  SweepMasterCsv(List<Path> files, ImportFile importer, CsvMetrics metrics, HistoryHorizon horizon) {
    this.horizon = horizon;
    this.files = List.copyOf(files);
    this.importer = importer;
    this.metrics = metrics;
  }

  /** Sweeps every configured file once. Never throws: a failing file is logged and the next one swept. */
  public ImportCounts sweepOnce() {
    ImportCounts total = new ImportCounts();
    if (horizon != null) {
      try {
        horizon.load();
        if (!horizon.known()) {
          // the tailer decides at first sight what is history; until it has, the whole file would be
          log.info("Master.csv sweep skipped: the tailer has not met {} yet", files);
          return total;
        }
      } catch (SQLException e) {
        log.warn("Master.csv sweep skipped: cannot read where the history ends ({})", e.getMessage());
        return total;
      }
    }
    for (Path file : files) {
      List<Path> toRead = new ArrayList<>();
      try {
        List<Path> rotated = RotatedFiles.of(file);
        if (!rotated.isEmpty()) toRead.add(rotated.get(0));
      } catch (IOException e) {
        log.warn("Master.csv sweep: cannot list rotated files of {}: {}", file, e.getMessage());
      }
      if (Files.exists(file)) toRead.add(file);
      for (Path p : toRead) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
          ImportCounts c = importer.run(ch, p.toString(), 0, 0, null, metrics::record);
          total.add(c);
          log.info("Master.csv sweep of {}: {}", p, c);
        } catch (IOException | SQLException | RuntimeException e) {
          log.warn("Master.csv sweep of {} failed: {}", p, e.toString());
        }
      }
    }
    return total;
  }
}
