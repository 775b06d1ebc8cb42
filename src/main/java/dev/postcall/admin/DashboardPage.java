package dev.postcall.admin;

import dev.postcall.queue.JobState;
import static dev.postcall.admin.Html.esc;
import static dev.postcall.admin.Html.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Counts by state, queue depth, oldest waiting call, deliveries per hour, backfill lag. */
final class DashboardPage {
  private DashboardPage() {}

  static String render(AdminAuth.Session s, QueueStats st, Map<Instant, Long> perHour, String backfillLag, Instant now) {
    StringBuilder b = new StringBuilder(8192);
    long depth = st.count(JobState.PENDING) + st.count(JobState.CLAIMED);
    b.append("<dl id=\"summary\"><dt>Queue depth</dt><dd id=\"depth\">").append(depth).append("</dd>")
        .append("<dt>Failed</dt><dd><a href=\"/failed\" id=\"failed-count\">").append(st.count(JobState.FAILED)).append("</a></dd>")
        .append("<dt>Oldest waiting</dt><dd>");
    if (st.oldestPending() == null) b.append("none");
    else b.append(time(st.oldestPending())).append(" UTC (").append(ago(Duration.between(st.oldestPending(), now))).append(" ago)");
    b.append("</dd><dt>Delivered last hour / day</dt><dd>").append(st.deliveredLastHour()).append(" / ")
        .append(st.deliveredLastDay()).append("</dd><dt>Backfill lag</dt><dd id=\"backfill-lag\">").append(esc(backfillLag))
        .append("</dd></dl>");

    b.append("<h2>Jobs by state</h2><table id=\"states\"><thead><tr><th>State</th><th>Stage</th><th>Jobs</th></tr></thead><tbody>");
    st.byStateAndStage().forEach((state, stages) -> stages.forEach((stage, n) -> b.append("<tr><td>").append(esc(state))
        .append("</td><td>").append(esc(stage)).append("</td><td>").append(n).append("</td></tr>")));
    b.append("</tbody></table>");

    long max = perHour.values().stream().mapToLong(Long::longValue).max().orElse(0);
    b.append("<h2>Deliveries per hour (UTC)</h2><table id=\"per-hour\"><tbody>");
    perHour.forEach((hour, n) -> b.append("<tr><td>").append(time(hour), 0, 13).append(":00</td><td>").append(n)
        .append("</td><td><span style=\"display:inline-block;background:#48a;height:10px;width:")
        .append(max == 0 ? 0 : n * 300 / max).append("px\"></span></td></tr>"));
    b.append("</tbody></table>");
    return Html.page("Dashboard", s, b.toString());
  }

  static String ago(Duration d) {
    if (d.isNegative()) return "0s";
    if (d.toDays() > 0) return d.toDays() + "d " + d.toHoursPart() + "h";
    if (d.toHours() > 0) return d.toHours() + "h " + d.toMinutesPart() + "m";
    if (d.toMinutes() > 0) return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    return d.toSeconds() + "s";
  }
}
