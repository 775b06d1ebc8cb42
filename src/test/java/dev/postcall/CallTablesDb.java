package dev.postcall;

import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestDb} for a test class, with the call tables emptied before each test, so every
 * test starts from no calls, no jobs and no Master.csv offsets. Register it as
 * {@code @RegisterExtension static final CallTablesDb db = new CallTablesDb();}.
 */
public final class CallTablesDb implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  /** Children before parents (foreign keys). */
  private static final List<String> TABLES = List.of("job_events", "call_corrections", "jobs", "calls", "csv_offsets",
      "csv_history");

  private TestDb db;

  @Override
  public void beforeAll(ExtensionContext context) {
    db = TestDb.create();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    empty();
  }

  /** Deletes every call, job and offset (also for a test that runs twice within itself). */
  public void empty() {
    for (String t : TABLES) db.exec("DELETE FROM " + t);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (db != null) db.close();
  }

  public TestDb db() {
    return db;
  }

  public String url() {
    return db.url;
  }

  public DataSource ds() {
    return db.ds();
  }

  public DataSource csvDs() {
    return db.csvDs();
  }

  /** {@link TestDb#count}: enums in {@code params} bind as their names. */
  public long count(String sql, Object... params) {
    return db.count(sql, params);
  }

  public void exec(String sql, Object... params) {
    db.exec(sql, params);
  }
}
