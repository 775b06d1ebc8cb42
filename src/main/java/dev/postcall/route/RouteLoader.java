package dev.postcall.route;

import dev.postcall.DaemonThreads;
import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills the {@link RouteIndex} from the database on its own thread: the answered calls of the
 * sticky window and the VIP list once, then the VIP list again and a pruning of old answers every
 * {@code route.refresh}. A database that is down only delays readiness; the route script answers
 * empty meanwhile.
 *
 * <p>Only the calls of this node's PBX count by default: an agent of another PBX is an interface
 * this PBX cannot dial. Across PBXs ({@code route.sticky-across-pbxs}), every refresh also reads
 * the answers the other PBXs stored since — this PBX's own come live from its hangups.
 */
public final class RouteLoader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RouteLoader.class);

  private final DataSource ds;
  private final RouteIndex index;
  private final VipNumbers vips;
  private final Clock clock;
  private final Duration refresh;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      r -> DaemonThreads.create("route-loader", r));
  private final String pbxId;
  private final boolean acrossPbxs;
  private volatile boolean warned;
  /** Calls above this id are read on the next refresh (across PBXs only); {@link #WHOLE_WINDOW} after the first load. */
  private long readFrom;
  /**
   * The first refresh after the load reads the other PBXs' window again: a call that had its id but
   * had not committed during the load sits below the load's highest id and would never be read.
   */
  private static final long WHOLE_WINDOW = -1;
  /** The highest id at the last refresh: the next one's {@link #readFrom}. */
  private long lastTop;

  /**
   * @param pbxId this node's PBX: the answers of its calls count
   * @param acrossPbxs the answers of every PBX's calls count
   */
  public RouteLoader(DataSource ds, RouteIndex index, Clock clock, Duration refresh, String pbxId, boolean acrossPbxs) {
    this.ds = ds;
    this.index = index;
    this.vips = new VipNumbers(ds, index.numbers(), clock);
    this.clock = clock;
    this.refresh = refresh;
    this.pbxId = pbxId;
    this.acrossPbxs = acrossPbxs;
  }

  public void start() {
    thread.scheduleWithFixedDelay(this::refreshQuietly, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void refreshQuietly() {
    try {
      refreshOnce();
      warned = false;
    } catch (SQLException | RuntimeException e) {
      if (!warned) log.warn("routing index: database not readable ({}) — route answers {} until it is; retrying every {} s",
          e.getMessage(), index.ready() ? "from what it holds" : "empty", refresh.toSeconds());
      warned = true;
    }
  }

  /** One step: the first successful call loads the window's answers and makes the index ready. */
  public void refreshOnce() throws SQLException {
    if (!index.ready()) {
      long top = topId();
      int n = loadAnswers(acrossPbxs ? "" : " AND pbx_id = ?");
      lastTop = top;
      readFrom = WHOLE_WINDOW;
      index.vip(vips.numbers());
      index.markReady();
      log.info("routing index ready: {} callers answered in the last {} ({})", n, index.window(),
          acrossPbxs ? "every PBX" : "PBX " + pbxId);
    } else {
      if (acrossPbxs) loadOtherPbxsAnswers();
      index.vip(vips.numbers());
      index.prune();
    }
  }

  /** The window's answers; {@code pbxFilter} is empty or {@code " AND pbx_id = ?"} / {@code " AND pbx_id <> ?"}. */
  private int loadAnswers(String pbxFilter) throws SQLException {
    Instant since = clock.instant().minus(index.window());
    // start_time is indexed and an answer never precedes its start
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT caller_number, agent, answer_time FROM calls "
            + "WHERE start_time >= ? AND answer_time IS NOT NULL AND agent IS NOT NULL" + pbxFilter)) {
      Sql.setInstant(ps, 1, since.minus(Duration.ofHours(1)));
      if (!pbxFilter.isEmpty()) ps.setString(2, pbxId);
      return read(ps, since);
    }
  }

  /**
   * The answers other PBXs stored since the refresh before last, by primary key: reading from
   * there, not from the last refresh, also takes a call whose insert had its id but had not
   * committed then. An answer read twice changes nothing.
   */
  private void loadOtherPbxsAnswers() throws SQLException {
    long top = topId();
    if (readFrom == WHOLE_WINDOW) {
      loadAnswers(" AND pbx_id <> ?");
    } else {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT caller_number, agent, answer_time FROM calls "
              + "WHERE id > ? AND pbx_id <> ? AND answer_time IS NOT NULL AND agent IS NOT NULL")) {
        ps.setLong(1, readFrom);
        ps.setString(2, pbxId);
        read(ps, clock.instant().minus(index.window()));
      }
    }
    readFrom = lastTop;
    lastTop = top;
  }

  private int read(PreparedStatement ps, Instant since) throws SQLException {
    int n = 0;
    ps.setFetchSize(1000);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Instant at = Sql.getInstant(rs, "answer_time");
        if (at.isBefore(since)) continue;
        index.answered(rs.getString(1), rs.getString(2), at);
        n++;
      }
    }
    return n;
  }

  private long topId() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return Sql.scalarLong(c, "SELECT COALESCE(MAX(id), 0) FROM calls");
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
