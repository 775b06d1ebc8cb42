package dev.postcall.cli;

import dev.postcall.config.PostcallConfig;
import dev.postcall.db.Database;
import dev.postcall.db.SchemaMigrations;
import java.io.PrintWriter;
import java.util.Map;
import org.flywaydb.core.api.MigrationInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postcall db repair}: the schema after a migration that a database restart cut off. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The database schema.",
    subcommands = {DbCommand.RepairCmd.class})
final class DbCommand {

  @Command(name = "repair", mixinStandardHelpOptions = true,
      description = {"Repair the schema after a migration that stopped part-way (the service logs 'schema half-migrated').",
          "Empty tables of a cut-off first migration are dropped (the service then migrates afresh); otherwise the"
              + " migration's FAILED row is removed so that the service runs it again. Back up the database first."})
  static final class RepairCmd extends AdminCommand {
    @Option(names = "--show", description = "Only print the failed migration's SQL (what it creates), change nothing.")
    boolean show;

    @Override
    int run(PostcallConfig cfg, Database database, PrintWriter out) throws Exception {
      SchemaMigrations migrations = new SchemaMigrations(database.dataSource());
      if (show) {
        MigrationInfo failed = migrations.failedMigration();
        if (failed == null) {
          out.println("no failed migration");
          return 0;
        }
        out.println("-- " + failed.getScript() + " (migration " + failed.getVersion() + ", failed)");
        out.print(SchemaMigrations.script(failed.getScript()));
        return 0;
      }
      String done = migrations.repair();
      if (json) printJson(out, Map.of("result", done));
      else out.println(done);
      return 0;
    }
  }
}
