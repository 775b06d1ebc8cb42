package dev.postcall.admin;

import dev.postcall.queue.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Counts by state, queue depth, oldest waiting call, deliveries per hour, backfill lag. */
final class DashboardPage {
  private static final int BAR_PX = 300;

  record StateRow(String state, String stage, long jobs) {}

  record HourRow(String hour, long jobs, long width) {}

  record View(long depth, long failed, Instant oldest, String oldestAgo, long lastHour, long lastDay, String backfillLag,
      List<StateRow> states, List<HourRow> hours) {}

  private DashboardPage() {}

  static View view(QueueStats st, Map<Instant, Long> perHour, String backfillLag, Instant now) {
    List<StateRow> states = new ArrayList<>();
    st.byStateAndStage().forEach((state, stages) -> stages.forEach((stage, n) -> states.add(new StateRow(state, stage, n))));
    long max = perHour.values().stream().mapToLong(Long::longValue).max().orElse(0);
    List<HourRow> hours = new ArrayList<>();
    perHour.forEach((hour, n) -> hours.add(new HourRow(Format.time(hour).substring(0, 13), n, max == 0 ? 0 : n * BAR_PX / max)));
    Instant oldest = st.oldestPending();
    return new View(st.count(JobState.PENDING) + st.count(JobState.CLAIMED), st.count(JobState.FAILED), oldest,
        oldest == null ? null : ago(Duration.between(oldest, now)), st.deliveredLastHour(), st.deliveredLastDay(),
        backfillLag, states, hours);
  }

  static String ago(Duration d) {
    if (d.isNegative()) return "0s";
    if (d.toDays() > 0) return d.toDays() + "d " + d.toHoursPart() + "h";
    if (d.toHours() > 0) return d.toHours() + "h " + d.toMinutesPart() + "m";
    if (d.toMinutes() > 0) return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    return d.toSeconds() + "s";
  }
}
