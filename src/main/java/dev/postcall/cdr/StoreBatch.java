package dev.postcall.cdr;

import dev.postcall.call.CallRecord;
import dev.postcall.route.AgentName;
import dev.postcall.cdr.CsvCalls;
import dev.postcall.queue.CallStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.postcall.queue.Uniqueids;
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

  private final CdrNotices notices;
  /** The PBX whose Master.csv this is: every call read from it is that PBX's. */
  private final String pbxId;
  private final java.time.Duration agiHold;

  StoreBatch(Predicate<CdrRow> isCall, boolean mergeTiming, boolean logEachCall, CdrNotices notices) {
    this(isCall, mergeTiming, logEachCall, notices, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  StoreBatch(Predicate<CdrRow> isCall, boolean mergeTiming, boolean logEachCall, CdrNotices notices, String pbxId) {
    this(isCall, mergeTiming, logEachCall, notices, pbxId, java.time.Duration.ZERO);
  }

  /** {@code agiHold}: how long a new call's job waits for its FastAGI hangup (the tailer's csv.agi-hold). */
  StoreBatch(Predicate<CdrRow> isCall, boolean mergeTiming, boolean logEachCall, CdrNotices notices, String pbxId,
      java.time.Duration agiHold) {
    this.agiHold = agiHold;
    this.pbxId = pbxId;
    this.notices = notices;
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
    List<CdrRow> all = new ArrayList<>(lines.size());
    Map<String, String> originators = new HashMap<>();
    for (ParsedLine pl : lines) {
      counts.lines++;
      if (pl instanceof ParsedLine.Malformed m) {
        counts.malformed++;
        log.warn("skipped malformed Master.csv row {}", m);
      } else if (pl instanceof ParsedLine.Row r) {
        all.add(r.row());
        CdrRow x = r.row();
        // the ;1 half that started an originated Local channel: its uniqueid is the call's linkedid
        if (x.channel().startsWith("Local/") && x.channel().endsWith(";1") && x.hasUniqueid() && x.uniqueid().equals(x.linkedid()))
          originators.put(x.channel().substring(0, x.channel().length() - 2), x.uniqueid());
      }
    }
    List<CdrRow> rows = new ArrayList<>(all.size());
    for (CdrRow r : all) {
      if (!isCall.test(r)) {
        counts.skipped++;
      } else if (isLeg(r, originators)) {
        counts.skipped++;
        log.debug("Master.csv row of {} ({}) is a callee leg of call {}: not a call of its own", r.uniqueid(), r.channel(), r.linkedid());
      } else {
        rows.add(r);
      }
    }
    return MergeRows.merge(rows).stream().map(m -> toCall(m.key(), inZone(m.row()), pbxId)).toList();
  }

  /** A row whose uniqueid is not its linkedid belongs to someone else's call ({@link Uniqueids#isLeg}). */
  private static boolean isLeg(CdrRow r, Map<String, String> originators) {
    if (!Uniqueids.isLeg(r.uniqueid(), r.linkedid(), r.channel())) return false;
    return !(Uniqueids.isLocalTwo(r.channel())
        && r.linkedid().equals(originators.get(r.channel().substring(0, r.channel().length() - 2))));
  }

  /**
   * Master.csv's times in the zone they were written in. A channel's first CDR starts in the second
   * its uniqueid names (UTC): a call whose start is a whole number of quarter hours away from it was
   * read in the wrong zone ({@code usegmtime} in cdr.conf's [csv] versus {@code cdr.timezone}). Its
   * times are moved back, and the mismatch is reported once — shifted times are never stored.
   */
  CdrRow inZone(CdrRow r) {
    Instant created = r.hasUniqueid() ? Uniqueids.created(r.uniqueid()) : null;
    if (created == null || r.start() == null) return r;
    long off = r.start().getEpochSecond() - created.getEpochSecond();
    long quarters = Math.round(off / 900.0);
    if (quarters == 0 || Math.abs(off - quarters * 900) > 2) return r;
    long shift = quarters * 900;
    notices.notice("csv-zone", "Master.csv times are " + hours(shift) + " off the uniqueids' clock with cdr.timezone="
        + zoneHint + ": Master.csv is written in UTC with usegmtime=yes in cdr.conf's [csv], else in the PBX's"
        + " local zone. postcall corrects each row by its uniqueid; set cdr.timezone / csv.usegmtime to match");
    return new CdrRow(r.accountcode(), r.src(), r.dst(), r.dcontext(), r.clid(), r.channel(), r.dstchannel(), r.lastapp(),
        r.lastdata(), minus(r.start(), shift), minus(r.answer(), shift), minus(r.end(), shift), r.duration(), r.billsec(),
        r.disposition(), r.amaflags(), r.uniqueid(), r.userfield(), r.peeraccount(), r.linkedid(), r.sequence());
  }

  private String zoneHint = "?";

  /** Names the configured zone in the notice. */
  StoreBatch zoneHint(String zone) {
    this.zoneHint = zone;
    return this;
  }

  private static Instant minus(Instant t, long seconds) {
    return t == null ? null : t.minusSeconds(seconds);
  }

  static String hours(long seconds) {
    return (seconds > 0 ? "+" : "-") + java.time.Duration.ofSeconds(Math.abs(seconds)).toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  /** Stores {@link #calls} inside the caller's transaction: new ones with a job, known ones merged. */
  void storeCalls(Connection c, List<CallRecord> records, Instant now, ImportCounts counts) throws SQLException {
    if (records.isEmpty()) return;
    Set<CallRecord.Key> inserted = calls.insertNew(c, records, agiHold);
    List<CallRecord.Key> known = new ArrayList<>();
    for (CallRecord r : records) if (!inserted.contains(CallStore.key(r))) known.add(r.key());
    storeKnown(c, records, inserted, now, counts);
    // after the merge, in the same transaction: a held job runs with Master.csv's view of its call
    if (!known.isEmpty()) calls.release(c, known);
  }

  private void storeKnown(Connection c, List<CallRecord> records, Set<CallRecord.Key> inserted, Instant now,
      ImportCounts counts) throws SQLException {
    // INFO only for a call Master.csv brought first (its "captured" line); the timing merged into
    // a call the hangup brought is DEBUG — the two lines of a call are captured and delivered.
    for (CallRecord r : records) {
      if (inserted.contains(CallStore.key(r))) {
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
  static CallRecord toCall(String key, CdrRow r, String pbxId) {
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
        r.disposition(), dialStatus(r), null, blankToNull(r.accountcode()), blankToNull(r.userfield()), CallRecord.Source.CSV,
        agent(r), pbxId);
  }

  /** The answered leg's peer (the merged row's dstchannel is the answered one's when any was answered). */
  static String agent(CdrRow r) {
    return "ANSWERED".equals(r.disposition()) ? AgentName.of(r.dstchannel()) : null;
  }

  /**
   * What Dial's outcome was, where Master.csv shows it beyond doubt: a Dial row NO ANSWER that never
   * had a callee channel is Dial failing to create one (an unknown technology: the AGI path reads
   * CHANUNAVAIL), not a callee that did not pick up. Otherwise none: the disposition says it.
   */
  static String dialStatus(CdrRow r) {
    if (r.isDialRow() && "NO ANSWER".equals(r.disposition()) && (r.dstchannel() == null || r.dstchannel().isEmpty()))
      return "CHANUNAVAIL";
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
