package dev.postcall.db;

import dev.postcall.Causes;
import dev.postcall.PostcallException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema migrations (Flyway, {@code db/migration}), and what to do when one was cut off.
 * MariaDB cannot roll back DDL: a server restart in the middle of a migration leaves the tables it
 * created so far, and the next attempt fails on them ("already exists"), after which Flyway keeps a
 * FAILED row and refuses every later run. When all of postcall's tables are still empty — the
 * first migration of a new database was cut off — nothing can be lost: they are dropped and the
 * schema is migrated afresh. Otherwise {@link HalfMigrated} says which migration and how to repair.
 */
public final class SchemaMigrations {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);
  static final String LOCATION = "db/migration";
  static final String HISTORY = "flyway_schema_history";
  private static final Pattern CREATE_TABLE =
      Pattern.compile("(?i)CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?`?(\\w+)`?");

  /** The schema stopped part-way through a migration that cannot simply be run again. */
  public static final class HalfMigrated extends PostcallException {
    private final String version;
    private final String script;

    HalfMigrated(String message, String version, String script, Throwable cause) {
      super(message, true, cause);
      this.version = version;
      this.script = script;
    }

    /** The failed migration's version, e.g. {@code 3}. */
    public String version() {
      return version;
    }

    /** The failed migration's script, e.g. {@code V3__quartz_tables.sql}. */
    public String script() {
      return script;
    }
  }

  private final DataSource ds;

  public SchemaMigrations(DataSource ds) {
    this.ds = ds;
  }

  private Flyway flyway() {
    return Flyway.configure().dataSource(ds).locations("classpath:" + LOCATION).load();
  }

  /**
   * Applies pending migrations. A database that is down fails as before (the caller retries); a
   * cut-off first migration is redone; any other half-applied one throws {@link HalfMigrated}.
   */
  public void migrate() {
    Flyway flyway = flyway();
    try {
      flyway.migrate();
    } catch (FlywayException e) {
      MigrationInfo failed = failed(flyway);
      if (failed == null) throw e;
      if (resetIfEmpty(failed)) {
        flyway.migrate();
        return;
      }
      throw halfMigrated(failed, e);
    }
  }

  /**
   * {@code postcall db repair}: a cut-off first migration's empty tables are dropped (the next
   * start migrates afresh); otherwise Flyway's FAILED row is removed, so that the next start runs
   * that migration again — after the admin removed what it had created. Returns what it did.
   */
  public String repair() {
    Flyway flyway = flyway();
    MigrationInfo failed = failed(flyway);
    if (failed == null) {
      MigrationInfo current = flyway.info().current();
      return "nothing to repair: no failed migration (schema at version "
          + (current == null ? "none" : current.getVersion()) + ")";
    }
    if (resetIfEmpty(failed)) {
      return "migration " + failed.getVersion() + " (" + failed.getDescription() + ") had failed and postcall's tables were"
          + " all empty: dropped them; the service migrates the schema afresh at its next start";
    }
    flyway.repair();
    return "removed the FAILED row of migration " + failed.getVersion() + " (" + failed.getDescription() + "); the service"
        + " runs it again at its next start. If that fails on an object that already exists, drop what "
        + failed.getScript() + " creates (postcall db repair --show prints it) and repair again";
  }

  /** The SQL of migration {@code script} as shipped in the jar. */
  public static String script(String script) {
    try (InputStream in = SchemaMigrations.class.getClassLoader().getResourceAsStream(LOCATION + "/" + script)) {
      if (in == null) throw new IllegalArgumentException("no migration " + script);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The failed migration, or null. */
  public MigrationInfo failedMigration() {
    return failed(flyway());
  }

  private static MigrationInfo failed(Flyway flyway) {
    return Arrays.stream(flyway.info().all()).filter(i -> i.getState() == MigrationState.FAILED).findFirst().orElse(null);
  }

  private HalfMigrated halfMigrated(MigrationInfo failed, Throwable e) {
    // the run that failed tells why ("already exists"); later runs only that Flyway holds the FAILED row
    String cause = Causes.root(e).getMessage();
    cause = cause == null || cause.startsWith("Validate failed") ? "" : " (" + cause.lines().findFirst().orElse(cause) + ")";
    return new HalfMigrated("schema half-migrated: migration " + failed.getVersion() + " (" + failed.getDescription()
        + ") stopped part-way (a database restart during it?) and MariaDB cannot undo DDL; the database holds postcall's"
        + " data, so it is not redone by itself" + cause + ". Fix: back up the database, run 'postcall db repair' and"
        + " follow what it says; the service carries on by itself once the schema is whole",
        failed.getVersion().getVersion(), failed.getScript(), e);
  }

  /**
   * Drops every table the migrations create, and the history, when none holds a row: then a
   * migration was cut off before postcall ever stored anything. Tables of other applications in the
   * same database are never touched.
   */
  private boolean resetIfEmpty(MigrationInfo failed) {
    Set<String> ours = new TreeSet<>();
    for (MigrationInfo m : flyway().info().all()) {
      if (m.getScript() == null || !m.getScript().endsWith(".sql")) continue;
      Matcher t = CREATE_TABLE.matcher(script(m.getScript()));
      while (t.find()) ours.add(t.group(1).toLowerCase(Locale.ROOT));
    }
    try (Connection c = ds.getConnection()) {
      List<String> present = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          if (ours.contains(name.toLowerCase(Locale.ROOT))) present.add(name);
        }
      }
      // identifiers cannot be bound: these are names information_schema gave that match a CREATE TABLE of ours (\w+)
      try (Statement st = c.createStatement()) {
        // locked while checked and dropped: a capture writer inserting meanwhile waits, then fails
        // on the missing table and keeps its call in the spool until the schema is whole again
        StringBuilder lock = new StringBuilder("LOCK TABLES ");
        for (String t : present) lock.append('`').append(t).append("` WRITE, ");
        if (!present.isEmpty()) st.execute(lock.substring(0, lock.length() - 2));
        try {
          for (String t : present) {
            try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM `" + t + "`)")) {
              rs.next();
              if (rs.getBoolean(1)) return false;
            }
          }
          st.execute("SET foreign_key_checks = 0");
          for (String t : present) st.execute("DROP TABLE IF EXISTS `" + t + "`");
        } finally {
          st.execute("SET foreign_key_checks = 1");
          st.execute("UNLOCK TABLES");
        }
        st.execute("DROP TABLE IF EXISTS `" + HISTORY + "`");
      }
      log.warn("migration {} ({}) had been cut off before postcall stored anything: dropped postcall's {} tables (all"
          + " empty) to migrate the schema afresh", failed.getVersion(), failed.getDescription(), present.size());
      return true;
    } catch (SQLException e) {
      log.warn("could not check whether the half-migrated schema is empty: {}", e.getMessage());
      return false;
    }
  }
}
