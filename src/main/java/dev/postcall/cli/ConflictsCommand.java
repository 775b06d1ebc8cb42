package dev.postcall.cli;

import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.CallConflicts;
import dev.postcall.db.Database;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code postcall conflicts}: hangups that were not merged into the call stored under their
 * uniqueid (a second, disagreeing hangup — forged or misrouted — or a recording that belongs to
 * another call), newest first, with both versions.
 */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
    description = "Hangups kept aside because they disagree with the stored call or name another call's recording (newest first).")
final class ConflictsCommand extends AdminCommand {
  @Option(names = "--limit", defaultValue = "20", description = "How many to show (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
    CallConflicts conflicts = new CallConflicts(db.dataSource());
    List<CallConflicts.Row> rows = conflicts.latest(Math.max(1, Math.min(limit, 10_000)));
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("total", conflicts.count());
      m.put("latest", rows);
      printJson(out, m);
      return 0;
    }
    out.printf("%d conflicts in total%s%n", conflicts.count(), rows.isEmpty() ? "" : ", latest first:");
    for (CallConflicts.Row r : rows) {
      out.printf("%s  %s  %s  differs on: %s  pbx %s%n", r.detectedAt(), clean(r.uniqueid()), r.kind(), clean(r.fields()),
          clean(r.pbxId()));
      out.printf("  kept     %s%n", clean(r.kept()));
      out.printf("  rejected %s%n", clean(r.rejected()));
    }
    return 0;
  }

  /** No terminal escapes from values a PBX or an attacker chose (C0 and C1 controls). */
  static String clean(String s) {
    return s == null ? "" : s.replaceAll("\\p{Cc}", "?");
  }
}
