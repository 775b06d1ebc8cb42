package dev.postcall.db;


import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The connection pool and the schema. One per process; closed last at shutdown. A second, small
 * pool serves the Master.csv import only ({@link #csvImport()}): its connections may answer the
 * server's {@code LOAD DATA LOCAL INFILE} requests, the main pool's never do.
 */
public final class Database implements AutoCloseable {
  /** The tailer and the nightly sweep may run at once, one each; {@code postcall backfill} keeps two at work. */
  static final int CSV_IMPORT_POOL_SIZE = 2;
  /** Under /dev/null, a device and never a directory: no file can ever be there, not even root's. */
  static final String NO_LOCAL_FILES = "/dev/null/postcall-sends-no-local-files";

  private final HikariDataSource pool;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Duration connectTimeout;
  private HikariDataSource csvPool;

  private Database(HikariDataSource pool, String jdbcUrl, String user, String password, Duration connectTimeout) {
    this.pool = pool;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.connectTimeout = connectTimeout;
  }

  /**
   * Opens the pool and applies the schema migrations. Does not wait for the database: with {@code
   * initializationFailTimeout=-1} the pool starts even when the server is down, so the AGI
   * listener can take calls into its spool meanwhile; migrations then run when {@link #migrate()}
   * succeeds.
   */
  public static Database open(String jdbcUrl, String user, String password, int poolSize, Duration connectTimeout) {
    HikariConfig hc = config("postcall-db", jdbcUrl, user, password, poolSize, connectTimeout);
    hc.setMinimumIdle(Math.min(2, poolSize));
    return new Database(new HikariDataSource(hc), jdbcUrl, user, password, connectTimeout);
  }

  private static HikariConfig config(String name, String jdbcUrl, String user, String password, int poolSize,
      Duration connectTimeout) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName(name);
    hc.setJdbcUrl(jdbcUrl);
    hc.setUsername(user);
    hc.setPassword(password);
    hc.setMaximumPoolSize(poolSize);
    hc.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
    hc.setInitializationFailTimeout(-1);
    // SKIP LOCKED claims only work without gap locks: under REPEATABLE READ a second worker's
    // UPDATE of the indexed state column waits on the first one's gap lock.
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    // HikariCP's advice for Connector/J: cache the parsed statements (the default limits, 25
    // statements of ≤ 256 characters, leave out the call insert, ~330 characters), and keep the session
    // state locally instead of re-sending what has not changed.
    hc.addDataSourceProperty("cachePrepStmts", "true");
    hc.addDataSourceProperty("prepStmtCacheSize", "250");
    hc.addDataSourceProperty("prepStmtCacheSqlLimit", "2048");
    hc.addDataSourceProperty("useLocalSessionState", "true");
    hc.addDataSourceProperty("maintainTimeStats", "false");
    hc.addDataSourceProperty("useServerPrepStmts", "false");
    // No tracing spans per statement: with an OpenTelemetry API on the class path (a plugin, an
    // agent) Connector/J would otherwise start one for every query and send its context along.
    hc.addDataSourceProperty("openTelemetry", "DISABLED");
    hc.addDataSourceProperty("rewriteBatchedStatements", "true");
    // CallStore tells a new call from a known one by the affected-row count of
    // INSERT … ON DUPLICATE KEY UPDATE: 1 = inserted, 0 = already there. Connector/J reports
    // "found" rows instead unless asked for affected rows.
    hc.addDataSourceProperty("useAffectedRows", "true");
    hc.addDataSourceProperty("characterEncoding", "UTF-8");
    hc.addDataSourceProperty("connectionTimeZone", "UTC");
    hc.addDataSourceProperty("forceConnectionTimeZoneToSession", "true");
    hc.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(250, connectTimeout.toMillis())));
    hc.addDataSourceProperty("socketTimeout", "30000");
    return hc;
  }

  /**
   * Applies pending migrations from {@code db/migration}. Idempotent; a cut-off first migration is
   * redone, another half-applied one throws {@link SchemaMigrations.HalfMigrated}.
   */
  public void migrate() {
    new SchemaMigrations(pool).migrate();
  }

  public DataSource dataSource() {
    return pool;
  }

  /**
   * Connections for the Master.csv import (tailer, sweep, {@code postcall backfill}), opened on
   * first use. They stream each batch with {@code LOAD DATA LOCAL INFILE} from memory (the
   * cdr bulk load), which Connector/J only does with {@code allowLoadLocalInfile=true} — and that
   * flag alone would also let the server ask for <em>any</em> file the process can read, in
   * answer to any statement (a hostile or impersonated server reading conf/ or the recordings).
   * So only these connections have it, and {@code allowLoadLocalInfileInPath} names a directory
   * that cannot exist: Connector/J then hands the server the in-memory stream we set for our own
   * statement, and refuses every other request, since no file lies under that path.
   */
  public synchronized DataSource csvImport() {
    if (csvPool == null) {
      HikariConfig hc = config("postcall-csv", jdbcUrl, user, password, CSV_IMPORT_POOL_SIZE, connectTimeout);
      hc.setMinimumIdle(0);
      hc.addDataSourceProperty("allowLoadLocalInfile", "true");
      hc.addDataSourceProperty("allowLoadLocalInfileInPath", NO_LOCAL_FILES);
      hc.addDataSourceProperty("allowUrlInLocalInfile", "false");
      csvPool = new HikariDataSource(hc);
    }
    return csvPool;
  }

  @Override
  public synchronized void close() {
    if (csvPool != null) csvPool.close();
    pool.close();
  }
}
