package dev.postcall.cli;

import dev.postcall.db.OpenDatabase;
import dev.postcall.Causes;
import dev.postcall.PostcallException;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Redact;
import dev.postcall.db.Database;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Base of the admin commands: loads the configuration, opens the database, runs, and turns the
 * expected failures (bad config, bad option value, database down) into one clear line and exit 1.
 */
abstract class AdminCommand implements Callable<Integer> {
  @Mixin
  AdminDb db;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @Spec
  CommandSpec spec;

  abstract int run(PostcallConfig cfg, Database database, PrintWriter out) throws Exception;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = new PrintWriter(new TerminalSafeWriter(spec.commandLine().getOut()));
    PrintWriter err = new PrintWriter(new TerminalSafeWriter(spec.commandLine().getErr()));
    try {
      PostcallConfig cfg = db.load();
      // db.url, or the embedded database (the running service's, or started here)
      try (OpenDatabase open = OpenDatabase.open(cfg.db())) {
        int rc = run(cfg, open.db(), out);
        out.flush();
        return rc;
      }
    } catch (PostcallException | IllegalArgumentException e) {
      err.println("postcall: " + Redact.secrets(e.getMessage()));
      err.flush();
      return 1;
    } catch (SQLException e) {
      Throwable root = Causes.root(e);
      // no credentials from the URL, no driver options in the message
      String configured = db.load().db().url();
      String url = configured == null ? "(embedded)" : Redact.secrets(configured).replaceAll("\\?.*", "");
      err.println("postcall: database " + url + " not usable: " + Redact.secrets(e.getMessage()
          + (root != e ? " (" + root.getMessage() + ")" : "")));
      err.flush();
      return 1;
    }
  }

  @FunctionalInterface
  interface Action {
    boolean apply(String uniqueid) throws Exception;
  }

  /**
   * Applies an admin action to each call; exit 0 when every one changed, 1 when some were not in a
   * state the action applies to (or unknown) — those are listed, nothing else happens to them.
   */
  int applyEach(PrintWriter out, java.util.List<String> ids, Action action, String verb) throws Exception {
    java.util.List<String> changed = new java.util.ArrayList<>();
    java.util.List<String> skipped = new java.util.ArrayList<>();
    for (String id : ids) (action.apply(id) ? changed : skipped).add(id);
    if (json) {
      printJson(out, java.util.Map.of(verb, changed, "skipped", skipped));
    } else {
      for (String id : changed) out.println(verb + " " + id);
      for (String id : skipped) out.println("skipped " + id + " (unknown, or not in a state to be " + verb + ")");
      out.printf("%d %s, %d skipped%n", changed.size(), verb, skipped.size());
    }
    return skipped.isEmpty() ? 0 : 1;
  }

  void printJson(PrintWriter out, Object value) throws Exception {
    out.println(AdminDb.JSON.writeValueAsString(value));
  }
}
