package dev.postcall.cdr;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the lines Asterisk appended to this node's Master.csv since the last run, the way Filebeat
 * reads a growing log. One {@link #tailOnce()} per Quartz firing on this node; the position per
 * node and file is in {@code csv_offsets}, committed with the calls each batch produced. A rotated
 * file the node has no position for is read from its start, never taken as read unseen.
 * <ul>
 *   <li><b>Rename rotation</b> ({@code Master.csv} → {@code Master.csv.1}, new empty {@code
 *       Master.csv}): the saved position belongs to the file's device+inode, which now lives under
 *       the rotated name; that file is finished first (whatever is still appended to it), then the
 *       new file is read from 0.
 *   <li><b>Copytruncate</b> (the file is now shorter than the saved offset, or starts with other
 *       bytes): if the copy is still next to it (a sibling starting with the same bytes), its rest
 *       from the saved offset is read first; then the truncated file from 0.
 *   <li>A <b>partial last line</b> (no newline yet) is left for a later run.
 * </ul>
 */
public final class TailMasterCsv {
  private static final Logger log = LoggerFactory.getLogger(TailMasterCsv.class);
  /** Passes over one file's family per run when its rotated files keep moving under us. */
  private static final int RELIST_ATTEMPTS = 5;

  private final List<Path> files;
  private final CsvOffsets offsets;
  private final ImportFile importer;
  private final CsvMetrics metrics;
  /**
   * Files this tailer has completed a run for, found or not. A rotated file without state that
   * appears after such a run was created since (Asterisk's first Master.csv, rotated before the next
   * run), not history from before postcall — the offsets alone cannot tell, as no file meant no state.
   */
  private final Set<Path> ranFor = ConcurrentHashMap.newKeySet();

  private final boolean startAtEnd;
  private final MasterCsvWatch watch;
  private final HistoryHorizon horizon;
  private final java.time.Clock clock;
  private final java.time.Instant startedAt;
  private volatile boolean prepared;

  /**
   * @param startAtEnd a file first seen with content (no state for it or its rotated names, and no
   *     run of this tailer before it appeared) holds the PBX's history: calls that started before
   *     the horizon are not imported (the importer must filter with {@code horizon::accepts})
   * @param watch notices a file that stopped growing (null: not watched)
   * @param startedAt when this process started: the node's history horizon if it has none yet
   */
  TailMasterCsv(List<Path> files, CsvOffsets offsets, ImportFile importer, CsvMetrics metrics, boolean startAtEnd,
      MasterCsvWatch watch, HistoryHorizon horizon, java.time.Clock clock, java.time.Instant startedAt) {
    this.startedAt = startedAt;
    this.horizon = horizon;
    this.clock = clock;
    this.startAtEnd = startAtEnd;
    this.watch = watch;
    this.files = List.copyOf(files);
    this.offsets = offsets;
    this.importer = importer;
    this.metrics = metrics;
    metrics.tailing(this.files);
  }

  /** Reads every configured file's new complete lines. Never throws: a failing file is logged and retried next time. */
  public ImportCounts tailOnce() {
    ImportCounts total = new ImportCounts();
    Map<String, FileState> states;
    try {
      if (!prepared) prepare();
      states = offsets.loadAll();
    } catch (SQLException | IOException e) {
      log.warn("Master.csv tail skipped: cannot read offsets ({})", e.getMessage());
      return total;
    }
    if (startAtEnd && !horizon.known()) {
      try {
        horizon.load(); // also after a restart in the middle of a first sight's read
      } catch (SQLException e) {
        log.warn("Master.csv tail skipped: cannot read where the history ends ({})", e.getMessage());
        return total;
      }
    }
    Set<String> seen = new HashSet<>();
    boolean complete = true;
    for (Path file : files) {
      Exception failed = null;
      for (int attempt = 1; ; attempt++) {
        try {
          metrics.lag(file, tail(file, states, seen, total));
          ranFor.add(file);
          failed = null;
          break;
        } catch (NoSuchFileException | CsvOffsets.OffsetMoved e) {
          // a rotated file was renamed again between listing and reading (or read under two names in
          // one pass, the second time from a stale position): look again now, not one interval later
          failed = e;
          Map<String, FileState> now = attempt < RELIST_ATTEMPTS ? reload() : null;
          if (now == null) break;
          states = now;
        } catch (IOException | SQLException | RuntimeException e) {
          failed = e;
          break;
        }
      }
      if (failed != null) {
        complete = false;
        log.warn("Master.csv tail of {} failed, will retry: {}", file, failed.toString());
      }
    }
    if (watch != null) watch.check(files);
    if (complete) forgetGone(states, seen);
    if (total.lines > 0) log.info("Master.csv tail: {}", total);
    return total;
  }

  /** The positions as they are now (the pass that failed may have advanced some); null when unreadable. */
  private Map<String, FileState> reload() {
    try {
      return offsets.loadAll();
    } catch (SQLException e) {
      log.warn("Master.csv tail: cannot read offsets again ({})", e.getMessage());
      return null;
    }
  }

  /**
   * Once per process, before the first run: takes over the positions written before they were per
   * node for the files that are this node's (same device+inode and first bytes), then settles the
   * node's history horizon.
   */
  private void prepare() throws SQLException, IOException {
    boolean adopted = false;
    Map<String, FileState> legacy = offsets.legacy();
    if (!legacy.isEmpty()) {
      Map<String, FileState> mine = offsets.loadAll();
      for (Path file : files) {
        List<Path> family = new java.util.ArrayList<>(RotatedFiles.of(file));
        family.add(file);
        for (Path p : family) {
          try {
            String key = FileIdentity.key(p);
            FileState st = legacy.get(key);
            if (st == null || mine.containsKey(key) || !FileIdentity.sameContent(p, st) || !offsets.adopt(key)) continue;
            adopted = true;
            log.info("{} ({}) is node {}'s: its position from before positions were per node (byte {}) is now its own",
                p, key, offsets.node(), st.offset());
          } catch (IOException e) {
            // rotated away or unreadable: its row stays unowned, the tail itself reports a file it cannot read
            log.debug("not taking over the old position of {}: {}", p, e.toString());
          }
        }
      }
    }
    if (horizon != null) horizon.establish(startedAt, adopted);
    prepared = true;
  }

  private long tail(Path file, Map<String, FileState> states, Set<String> seen, ImportCounts total)
      throws IOException, SQLException {
    long lag = 0;
    List<Path> rotated = RotatedFiles.of(file);
    boolean tailedBefore = ranFor.contains(file) || states.values().stream().anyMatch(x -> sameFamily(file, x.path()));
    Set<String> readNow = new HashSet<>();
    NoSuchFileException moved = null;
    for (Path r : rotated) {
      try {
        String rk = FileIdentity.key(r);
        // rotation shifts names up while we walk them: the file we just read may come again one name on
        if (!readNow.add(rk)) continue;
        FileState st = states.get(rk);
        if (st != null && FileIdentity.sameContent(r, st)) {
          seen.add(st.fileKey());
          if (!r.toString().equals(st.path())) log.info("{} was rotated to {}: reading its rest from byte {}", st.path(), r, st.offset());
          lag += read(r, st, total);
        } else if (st != null) {
          // the file we track, truncated (copytruncate) and then rotated by name within one interval
          log.info("{} was truncated and then rotated to {}: reading its rest from its copy and it from the start", st.path(), r);
          lag += restartTruncated(r, rk, st, rotated, states, seen, total);
        } else if (!copyOfTracked(r, states)) {
          lag += untracked(r, rk, tailedBefore, seen, total);
        }
      } catch (NoSuchFileException e) {
        // renamed since the listing: it is under its next name, which the next pass lists; the live file goes first
        moved = e;
      }
    }
    if (Files.exists(file)) lag += tailLive(file, rotated, tailedBefore, states, seen, total);
    if (moved != null) throw moved;
    return lag;
  }

  /** The live Master.csv: its new lines, or, when it was truncated or replaced, the rest from its copy and it anew. */
  private long tailLive(Path file, List<Path> rotated, boolean tailedBefore, Map<String, FileState> states,
      Set<String> seen, ImportCounts total) throws IOException, SQLException {
    String key = FileIdentity.key(file);
    FileState st = states.get(key);
    if (st == null && startAtEnd && !tailedBefore && Files.size(file) > 0) {
      // History is what started before postcall first ran on this database, not what the file held
      // when this tailer first looked: a tailer node started late must still import the calls since.
      java.time.Instant from = horizon.firstSight(clock.instant());
      st = trackFromStart(file, key);
      log.info("first sight of {} ({}, {} bytes): reading it from the start; calls that started before {} are the PBX's"
          + " history and not imported (postcall backfill --since DAY imports them; csv.start-at=start imports all)",
          file, key, Files.size(file), from);
    } else if (st == null) {
      if (horizon != null && !tailedBefore) horizon.mark(java.time.Instant.EPOCH); // read whole: no history skipped
      st = trackFromStart(file, key);
      log.info("tailing {} ({}) from the start", file, key);
    } else if (Files.size(file) < st.offset() || !FileIdentity.sameContent(file, st)) {
      log.info("{} was truncated or replaced (copytruncate?): saved offset {}, now {} bytes; reading it from the start",
          file, st.offset(), Files.size(file));
      return restartTruncated(file, key, st, rotated, states, seen, total);
    }
    seen.add(key);
    return read(file, st, total);
  }

  /**
   * A tracked file whose content no longer starts as it did (truncated in place, or a new file on a
   * reused inode): the unread rest of the old content from its copy, then the file from its start.
   */
  private long restartTruncated(Path p, String key, FileState st, List<Path> rotated, Map<String, FileState> states,
      Set<String> seen, ImportCounts total) throws IOException, SQLException {
    finishCopy(rotated, st, states, seen, total);
    seen.add(key);
    return read(p, trackFromStart(p, key), total);
  }

  /** A position at byte 0 of {@code p}, saved: the file is read from its start. */
  private FileState trackFromStart(Path p, String key) throws IOException, SQLException {
    FileState st = new FileState(key, p.toString(), FileIdentity.of(p, 0).hash(), 0, 0, 0, 0);
    offsets.put(st);
    return st;
  }

  /**
   * After a copytruncate, the lines between our offset and the copy's end are only in the copy. The
   * copy is tracked from then on (a writer may still append to it; later runs must not read it anew).
   */
  private void finishCopy(List<Path> rotated, FileState st, Map<String, FileState> states, Set<String> seen,
      ImportCounts total) throws IOException, SQLException {
    for (Path r : rotated) {
      if (states.containsKey(FileIdentity.key(r)) || Files.size(r) < st.offset() || !FileIdentity.sameContent(r, st))
        continue;
      log.info("reading the rest of {} from its copy {} (byte {})", st.path(), r, st.offset());
      FileState copy = new FileState(FileIdentity.key(r), r.toString(), st.fingerprint(), st.fingerprintLen(), st.offset(),
          st.line(), st.size());
      offsets.put(copy);
      seen.add(copy.fileKey());
      read(r, copy, total);
      return;
    }
  }

  /**
   * A rotated file this node has no position for: read from its start, never marked read unseen —
   * its rows may exist nowhere else (rotated while this node was down, or a rename and a
   * copytruncate within one tail interval). Calls already stored are recognised by uniqueid and add
   * nothing; with csv.start-at=end those that started before the node's history horizon are left out.
   */
  private long untracked(Path r, String key, boolean tailedBefore, Set<String> seen, ImportCounts total)
      throws IOException, SQLException {
    seen.add(key);
    if (tailedBefore)
      log.warn("{} appeared already rotated (rotated twice within one tail interval?): reading it from the start", r);
    else
      log.info("{} is a rotated file node {} has not read: reading it from the start{}", r, offsets.node(),
          startAtEnd ? " (calls that started before postcall first ran on this node are history, not imported)" : "");
    return read(r, trackFromStart(r, key), total);
  }

  /** A copytruncate's copy of a file we track starts with that file's bytes; finishCopy handles it. */
  private static boolean copyOfTracked(Path r, Map<String, FileState> states) throws IOException {
    for (FileState st : states.values()) {
      if (st.fingerprintLen() > 0 && FileIdentity.sameContent(r, st)) return true;
    }
    return false;
  }

  /** Whether a state's path is {@code file} or one of its rotated names. */
  private static boolean sameFamily(Path file, String statePath) {
    String f = file.toString();
    return statePath.equals(f) || statePath.startsWith(f + ".") || statePath.startsWith(f + "-");
  }

  /** Reads {@code path} from the state's offset to its end, advancing the state batch by batch. Returns the lag. */
  private long read(Path path, FileState start, ImportCounts total) throws IOException, SQLException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      // The name may have been rotated between looking and opening: read only the file we meant.
      if (!FileIdentity.key(path).equals(start.fileKey())) return 0;
      long size = ch.size();
      if (size == start.offset()) return 0;
      FileIdentity.Fingerprint fp = start.fingerprintLen() < FileIdentity.FINGERPRINT_BYTES && start.offset() < size
          ? FileIdentity.of(path) : new FileIdentity.Fingerprint(start.fingerprint(), start.fingerprintLen());
      FileState[] at = {start};
      ImportCounts counts = importer.run(ch, path.toString(), start.offset(), start.line(), (c, endOffset, endLine) -> {
        FileState next = at[0].advancedTo(endOffset, endLine, size, fp, path.toString());
        offsets.advance(c, at[0], next);
        at[0] = next;
      }, metrics::record);
      total.add(counts);
      return size - at[0].offset();
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  private void forgetGone(Map<String, FileState> states, Set<String> seen) {
    for (FileState s : states.values()) {
      if (seen.contains(s.fileKey())) continue;
      try {
        offsets.delete(s.fileKey());
        log.info("stopped tracking {} ({}): no longer there", s.path(), s.fileKey());
      } catch (SQLException e) {
        log.warn("cannot forget offset of {}: {}", s.path(), e.getMessage());
      }
    }
  }
}
