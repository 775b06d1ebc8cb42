package dev.postcall.cdr;

import dev.postcall.config.PostcallConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;

/** Builds the backfill's steps from the configuration. */
final class Backfill {
  private Backfill() {}

  static MasterCsvParser parser(PostcallConfig.Csv csv) {
    return new MasterCsvParser(CsvLayout.parse(csv.columns()), csv.zone());
  }

  /**
   * @param node this node's id (pbx.id): its own positions and history horizon
   * @param startedAt when this process started: the node's history horizon if it has none yet
   */
  static TailMasterCsv tailer(PostcallConfig.Csv csv, String node, DataSource ds, Clock clock, CsvMetrics metrics,
      java.time.Instant startedAt) {
    HistoryHorizon horizon = new HistoryHorizon(ds, node);
    java.util.function.Predicate<CdrRow> isCall = CallSelector.from(csv)::isCall;
    // the horizon is only known (and filters) once a first sight loaded it; before that it keeps every row.
    // Only the tailer's calls wait for their hangup (csv.agi-hold): the sweep's and a backfill's are past it.
    ImportFile importer = new ImportFile(ds, parser(csv), new StoreBatch(csv.startAtEnd() ? isCall.and(horizon::accepts) : isCall,
        true, true, metrics.notices(), csv.pbxId(), csv.agiHold()).zoneHint(csv.zone().getId()), csv.batchSize(), clock);
    return new TailMasterCsv(csv.files(), new CsvOffsets(ds, node), importer, metrics, csv.startAtEnd(),
        new MasterCsvWatch(ds, clock, metrics.notices(), csv.tailInterval(), csv.pbxId()), horizon, clock, startedAt);
  }

  static SweepMasterCsv sweeper(PostcallConfig.Csv csv, String node, DataSource ds, Clock clock, CsvMetrics metrics) {
    HistoryHorizon horizon = new HistoryHorizon(ds, node);
    java.util.function.Predicate<CdrRow> isCall = CallSelector.from(csv)::isCall;
    ImportFile importer = new ImportFile(ds, parser(csv), new StoreBatch(isCall.and(horizon::accepts), false, true,
        metrics.notices(), csv.pbxId()).zoneHint(csv.zone().getId()), csv.batchSize(), clock);
    return new SweepMasterCsv(csv.files(), importer, metrics, csv.startAtEnd() ? horizon : null);
  }

  static CsvMetrics metrics(MeterRegistry registry, CdrNotices notices, String node) {
    return new CsvMetrics(registry, notices, node);
  }
}
