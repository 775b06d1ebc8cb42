package dev.postcall.cdr;

import dev.postcall.queue.CallRecord;
import dev.postcall.queue.CsvCalls;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of parsed lines into calls inside the caller's transaction: malformed lines are
 * logged and counted, rows that are not calls skipped, rows of one call merged ({@link MergeRows}),
 * unknown calls inserted with a job, known ones (AGI first, or an earlier batch) given Master.csv's
 * final timing when {@code mergeTiming} is on.
 */
final class StoreBatch {
  private static final Logger log = LoggerFactory.getLogger(StoreBatch.class);
  private static final Pattern CLID = Pattern.compile("\\s*\"?(.*?)\"?\\s*<([^>]*)>\\s*");

  private final Predicate<CdrRow> isCall;
  private final CsvCalls calls = new CsvCalls();
  private final boolean mergeTiming;
  private final boolean logEachCall;

  StoreBatch(Predicate<CdrRow> isCall, boolean mergeTiming, boolean logEachCall) {
    this.isCall = isCall;
    this.mergeTiming = mergeTiming;
    this.logEachCall = logEachCall;
  }

  void store(Connection c, List<ParsedLine> lines, Instant now, ImportCounts counts) throws SQLException {
    storeCalls(c, calls(lines, counts), now, counts);
  }

  /**
   * The calls in {@code lines}, rows of one call merged — no database work yet: lines counted,
   * malformed ones logged and counted, rows that are not calls counted as skipped.
   */
  List<CallRecord> calls(List<ParsedLine> lines, ImportCounts counts) {
    List<CdrRow> rows = new ArrayList<>(lines.size());
    for (ParsedLine pl : lines) {
      counts.lines++;
      if (pl instanceof ParsedLine.Malformed m) {
        counts.malformed++;
        log.warn("skipped malformed Master.csv row {}", m);
      } else if (pl instanceof ParsedLine.Row r && isCall.test(r.row())) {
        rows.add(r.row());
      } else {
        counts.skipped++;
      }
    }
    return MergeRows.merge(rows).stream().map(m -> toCall(m.key(), m.row())).toList();
  }

  /** Stores {@link #calls} inside the caller's transaction: new ones with a job, known ones merged. */
  void storeCalls(Connection c, List<CallRecord> records, Instant now, ImportCounts counts) throws SQLException {
    if (records.isEmpty()) return;
    Set<String> inserted = calls.insertNew(c, records, now);
    // INFO only for a call Master.csv brought first (its "captured" line); the timing merged into
    // a call the hangup brought is DEBUG — the two lines of a call are captured and delivered.
    for (CallRecord r : records) {
      if (inserted.contains(r.uniqueid())) {
        counts.fresh++;
        if (logEachCall) log.info("call {} from Master.csv: new, {} {} → {}", r.uniqueid(), r.disposition(), r.callerNumber(), r.extension());
        else log.debug("call {} from Master.csv: new", r.uniqueid());
        continue;
      }
      counts.duplicate++;
      if (!mergeTiming) continue;
      switch (calls.applyCsvTiming(c, r, now)) {
        case FILLED -> {
          counts.filled++;
          log.debug("call {}: Master.csv timing applied before upload (end {}, duration {}s, billsec {}s)",
              r.uniqueid(), r.end(), r.duration(), r.billsec());
        }
        case CORRECTION -> {
          counts.corrections++;
          log.debug("call {}: already uploaded, Master.csv timing recorded as a correction (end {}, duration {}s, billsec {}s)",
              r.uniqueid(), r.end(), r.duration(), r.billsec());
        }
        case UNCHANGED -> { }
      }
    }
  }

  /** A merged row as a call: source CSV, status from the disposition, recording by the configured pattern. */
  static CallRecord toCall(String key, CdrRow r) {
    String name = null;
    String number = r.src();
    Matcher m = CLID.matcher(r.clid());
    if (m.matches()) {
      name = m.group(1).isEmpty() ? null : m.group(1);
      if (number.isEmpty()) number = m.group(2);
    } else if (!r.clid().isEmpty()) {
      name = r.clid();
    }
    return new CallRecord(key, blankToNull(r.linkedid()), r.channel(), blankToNull(r.dstchannel()),
        blankToNull(number), name, r.dst(), r.dcontext(), r.start(), r.answer(), r.end(), r.duration(), r.billsec(),
        r.disposition(), null, null, blankToNull(r.accountcode()), blankToNull(r.userfield()), CallRecord.Source.CSV);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
