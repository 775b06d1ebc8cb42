package dev.postcall.queue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The connection pool and the schema. One per process; closed last at shutdown. */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;

  private Database(HikariDataSource pool) {
    this.pool = pool;
  }

  /**
   * Opens the pool and applies the schema migrations. Does not wait for the database: with {@code
   * initializationFailTimeout=-1} the pool starts even when the server is down, so the AGI
   * listener can take calls into its spool meanwhile; migrations then run when {@link #migrate()}
   * succeeds.
   */
  public static Database open(String jdbcUrl, String user, String password, int poolSize, java.time.Duration connectTimeout) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("postcall-db");
    hc.setJdbcUrl(jdbcUrl);
    hc.setUsername(user);
    hc.setPassword(password);
    hc.setMaximumPoolSize(poolSize);
    hc.setMinimumIdle(Math.min(2, poolSize));
    hc.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
    hc.setInitializationFailTimeout(-1);
    // SKIP LOCKED claims only work without gap locks: under REPEATABLE READ a second worker's
    // UPDATE of the indexed state column waits on the first one's gap lock (STACK.md, trap 1).
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    hc.addDataSourceProperty("cachePrepStmts", "true");
    hc.addDataSourceProperty("useServerPrepStmts", "false");
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
    return new Database(new HikariDataSource(hc));
  }

  /** Applies pending migrations from {@code db/migration}. Idempotent. */
  public void migrate() {
    Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
  }

  public DataSource dataSource() {
    return pool;
  }

  @Override
  public void close() {
    pool.close();
  }
}
