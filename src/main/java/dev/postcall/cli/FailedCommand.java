package dev.postcall.cli;

import dev.postcall.admin.CallDetail;
import dev.postcall.admin.FailedFilter;
import dev.postcall.admin.FailedQueue;
import dev.postcall.admin.FailedRow;
import dev.postcall.admin.RecordingLocator;
import dev.postcall.call.CallRef;
import dev.postcall.config.PostcallConfig;
import dev.postcall.db.Database;
import dev.postcall.queue.JobQueue;
import dev.postcall.work.RecordingPath;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postcall failed list|show|retry|discard}: the failed-upload queue from a shell. */
@Command(name = "failed", mixinStandardHelpOptions = true, description = "Review the calls that could not be delivered.",
    subcommands = {FailedCommand.ListCmd.class, FailedCommand.ShowCmd.class, FailedCommand.RetryCmd.class,
        FailedCommand.DiscardCmd.class})
final class FailedCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Failed calls, newest failure first.")
  static final class ListCmd extends AdminCommand {
    @Mixin
    FailedFilterOptions filters;

    @Option(names = "--limit", defaultValue = "50", description = "At most N calls (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--offset", defaultValue = "0", description = "Skip the first N.")
    int offset;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      if (limit < 1 || limit > 100_000 || offset < 0) throw new IllegalArgumentException("--limit 1..100000, --offset >= 0");
      List<FailedRow> rows = new FailedQueue(db.dataSource(), Clock.systemUTC()).list(filters.filter(), limit, offset);
      if (json) {
        printJson(out, rows);
        return 0;
      }
      out.printf("%-24s %-12s %-16s %-20s %-8s %8s  %s%n", "UNIQUEID", "PBX", "CALLER", "START (UTC)", "STAGE", "ATTEMPTS",
          "LAST ERROR");
      for (FailedRow r : rows)
        out.printf("%-24s %-12s %-16s %-20s %-8s %8d  %s%n", r.uniqueid(), nz(r.pbxId()), nz(r.callerNumber()),
            r.start() == null ? "" : r.start().toString().replace('T', ' ').replace("Z", ""), r.stage(), r.attempts(),
            oneLine(r.lastError()));
      out.printf("%d call(s)%n", rows.size());
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "A call, its delivery job and every attempt, and its recording.")
  static final class ShowCmd extends AdminCommand {
    @Parameters(paramLabel = "UNIQUEID")
    String uniqueid;

    @Option(names = "--pbx", paramLabel = "PBX_ID", description = "The call's PBX, when several PBXs have this uniqueid.")
    String pbx;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      CallRef ref = ref(uniqueid, pbx);
      Optional<CallDetail> d = new FailedQueue(db.dataSource(), Clock.systemUTC()).show(ref);
      if (d.isEmpty()) {
        spec.commandLine().getErr().println("postcall: no call with uniqueid " + dev.postcall.SafeText.printable(ref.toString()));
        return 1;
      }
      Optional<Path> rec = new RecordingLocator(db.dataSource(), RecordingPath.of(cfg.recordings()), cfg.archive().dir())
          .expectedPath(CallRef.of(d.get().call().key()));
      boolean exists = rec.map(Files::isRegularFile).orElse(false);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("call", d.get().call());
        m.put("job", d.get());
        m.put("recording", rec.map(Path::toString).orElse(null));
        m.put("recordingExists", exists);
        printJson(out, m);
        return 0;
      }
      CallDetail c = d.get();
      var call = c.call();
      out.printf("call       %s  pbx %s  %s (%s) -> %s  start %s  duration %s s  %s%n", call.uniqueid(), call.pbxId(),
          nz(call.callerNumber()),
          nz(call.callerName()), nz(call.extension()), call.start(), call.duration(), nz(call.outcome()));
      out.printf("job        %s  stage %s  failed in %s  attempts %d  updated %s%n", c.state(), c.stage(),
          nz(c.failedStage()), c.attempts(), c.updatedAt());
      out.printf("last error %s%n", oneLine(c.lastError()));
      if (c.discardedBy() != null) out.printf("discarded  by %s: %s%n", c.discardedBy(), c.discardReason());
      out.printf("recording  %s (%s)%n", rec.map(Path::toString).orElse("(no valid path)"), exists ? "exists" : "MISSING");
      if (c.recordingFlags().describe() != null) out.printf("flagged    %s%n", c.recordingFlags().describe());
      out.println("history");
      for (CallDetail.Attempt a : c.history())
        out.printf("  %s  #%d %-8s %-15s %s%n", a.at(), a.attempt(), a.stage(), a.outcome(), oneLine(a.message()));
      return 0;
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true, description = "Put failed (or discarded) calls back for delivery now.")
  static final class RetryCmd extends AdminCommand {
    @Parameters(paramLabel = "UNIQUEID", arity = "0..*")
    List<String> ids = new ArrayList<>();

    @Option(names = "--all", description = "Every failed call matching the filters.")
    boolean all;

    @Option(names = "--pbx", paramLabel = "PBX_ID", description = "The calls' PBX, when several PBXs have a uniqueid.")
    String pbx;

    @Mixin
    FailedFilterOptions filters;

    @Option(names = "--as", paramLabel = "NAME", description = "Who to record in the audit (default: your login).")
    String as;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      if (all == !ids.isEmpty()) throw new IllegalArgumentException("give either UNIQUEID... or --all [filters]");
      FailedFilter filter = filters.filter();
      if (!all && !filter.equals(FailedFilter.ALL)) throw new IllegalArgumentException("filters only go with --all");
      List<String> targets = new ArrayList<>();
      for (String id : ids) targets.add(ref(id, pbx).toString());
      if (all) {
        List<FailedRow> rows = new FailedQueue(db.dataSource(), Clock.systemUTC()).list(filter, 1_000_000, 0);
        Map<String, Long> perUniqueid = new java.util.HashMap<>();
        for (FailedRow r : rows) perUniqueid.merge(r.uniqueid(), 1L, Long::sum);
        // the PBX only where two PBXs' failed calls share the uniqueid: the plain one is unambiguous
        for (FailedRow r : rows) targets.add(perUniqueid.get(r.uniqueid()) > 1 ? r.ref().toString() : r.uniqueid());
      }
      JobQueue q = new JobQueue(db.dataSource(), Clock.systemUTC());
      return applyEach(out, targets, id -> q.retry(CallRef.parse(id), AdminDb.who(as)), "retried");
    }
  }

  @Command(name = "discard", mixinStandardHelpOptions = true, description = "Close failed calls for good (kept for the audit with who/when/why).")
  static final class DiscardCmd extends AdminCommand {
    @Parameters(paramLabel = "UNIQUEID", arity = "1..*")
    List<String> ids;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (required, kept for the audit).")
    String reason;

    @Option(names = "--pbx", paramLabel = "PBX_ID", description = "The calls' PBX, when several PBXs have a uniqueid.")
    String pbx;

    @Option(names = "--as", paramLabel = "NAME", description = "Who to record in the audit (default: your login).")
    String as;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      if (reason.isBlank()) throw new IllegalArgumentException("--reason must not be empty");
      JobQueue q = new JobQueue(db.dataSource(), Clock.systemUTC());
      List<String> targets = new ArrayList<>();
      for (String id : ids) targets.add(ref(id, pbx).toString());
      return applyEach(out, targets, id -> q.discard(CallRef.parse(id), reason.strip(), AdminDb.who(as)), "discarded");
    }
  }

  /** A uniqueid as given (or uniqueid@pbx), with --pbx when set. */
  static CallRef ref(String uniqueid, String pbx) {
    return pbx == null || pbx.isBlank() ? CallRef.parse(uniqueid) : new CallRef(pbx.strip(), uniqueid);
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ");
  }
}
