package dev.postcall.cli;

import dev.postcall.admin.CallSearch;
import dev.postcall.config.PostcallConfig;
import dev.postcall.db.Database;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postcall calls}: every call postcall holds, newest first, searchable. */
@Command(name = "calls", mixinStandardHelpOptions = true, description = "Search the calls postcall holds, newest first.")
final class CallsCommand extends AdminCommand {
  @Option(names = "--number", description = "Any part of the caller's or the called number.")
  String number;

  @Option(names = "--since", paramLabel = "DATE", description = "Started on/after (UTC): 2026-11-23 or 2026-11-23T10:00.")
  String since;

  @Option(names = "--until", paramLabel = "DATE", description = "Started before the end of (a date) / before (a time), UTC.")
  String until;

  @Option(names = "--status", description = "As delivered: answered, busy, unanswered, congestion, impossible, … (status.*).")
  String status;

  @Option(names = "--agent", description = "The answering agent's interface, e.g. PJSIP/201.")
  String agent;

  @Option(names = "--limit", defaultValue = "100", description = "At most N calls (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--before", paramLabel = "CURSOR", description = "The next page: calls after the row with this cursor"
      + " (printed below a full page; \"cursor\" in --json).")
  String before;

  @Override
  int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
    if (limit < 1 || limit > 100_000) throw new IllegalArgumentException("--limit 1..100000");
    CallSearch.Filter f = new CallSearch.Filter(CallSearch.date("--since", since, false), CallSearch.date("--until", until, true),
        number, status, agent, limit, null, CallSearch.Cursor.parse(before));
    List<CallSearch.Row> rows = new CallSearch(db.dataSource(), cfg.statusMap(), cfg.statusDefault()).search(f);
    if (json) {
      printJson(out, rows);
      return 0;
    }
    out.printf("%-20s %-24s %-16s %-10s %-11s %-24s %7s  %s%n", "START (UTC)", "UNIQUEID", "CALLER", "CALLED", "STATUS",
        "AGENT", "BILLSEC", "DELIVERY");
    for (CallSearch.Row r : rows)
      out.printf("%-20s %-24s %-16s %-10s %-11s %-24s %7s  %s%n",
          r.start() == null ? "" : r.start().toString().replace('T', ' ').replace("Z", ""), c(r.ref().toString()),
          c(r.callerNumber()), c(r.extension()), c(r.status()), c(r.agent()), r.billsec() == null ? "" : r.billsec(),
          r.delivery() == null ? "" : r.delivery().toLowerCase(java.util.Locale.ROOT));
    out.printf("%d call(s)%n", rows.size());
    if (rows.size() == limit) out.printf("more: --before %s%n", rows.get(rows.size() - 1).cursor().text());
    return 0;
  }

  private static String c(String s) {
    return ConflictsCommand.clean(s);
  }
}
