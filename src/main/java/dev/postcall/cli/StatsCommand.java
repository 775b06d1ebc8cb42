package dev.postcall.cli;

import dev.postcall.admin.FailedQueue;
import dev.postcall.admin.QueueStats;
import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.CallConflicts;
import dev.postcall.db.Database;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine.Command;

/** {@code postcall stats}: counts by state and stage, oldest waiting call, recent deliveries. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Queue counts by state and stage, oldest pending call, deliveries in the last hour/day.")
final class StatsCommand extends AdminCommand {
  @Override
  int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
    QueueStats st = new FailedQueue(db.dataSource(), Clock.systemUTC()).stats();
    if (json) {
      printJson(out, st);
      return 0;
    }
    out.println("STATE      STAGE      JOBS");
    st.byStateAndStage().forEach((state, stages) ->
        stages.forEach((stage, n) -> out.printf("%-10s %-10s %d%n", state, stage, n)));
    st.byState().forEach((state, n) -> out.printf("total %-10s %d%n", state, n));
    out.printf("oldest pending   %s%n", st.oldestPending() == null ? "none" : st.oldestPending());
    out.printf("delivered        %d in the last hour, %d in the last day%n", st.deliveredLastHour(), st.deliveredLastDay());
    long conflicts = new CallConflicts(db.dataSource()).count();
    out.printf("conflicts        %d%s%n", conflicts, conflicts == 0 ? "" : " (hangups kept aside: postcall conflicts)");
    return 0;
  }
}
