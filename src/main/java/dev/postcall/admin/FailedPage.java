package dev.postcall.admin;

import dev.postcall.queue.Stage;
import java.util.Arrays;
import java.util.List;

/** The failed-upload queue: filters, one page of calls, retry/discard of one or the selected ones. */
final class FailedPage {
  static final int PAGE_SIZE = 50;

  record View(FailedForm form, String problem, String message, List<FailedRow> rows, String totalText, String back,
      String prevHref, String nextHref) {
    List<Stage> stages() {
      return Arrays.stream(Stage.values()).filter(s -> s != Stage.DONE).toList();
    }
  }

  private FailedPage() {}

  /** The query of this filter, for paging links and the redirect after an action. */
  static String query(FailedForm f) {
    StringBuilder q = new StringBuilder();
    add(q, "since", f.since());
    add(q, "until", f.until());
    add(q, "stage", f.stage());
    add(q, "number", f.number());
    add(q, "reason", f.reason());
    return q.toString();
  }

  private static void add(StringBuilder q, String k, String v) {
    if (v == null || v.isBlank()) return;
    q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(Format.url(v));
  }

  static View view(FailedForm form, String problem, String message, FailedQueue.Page result, int page) {
    List<FailedRow> rows = result.rows();
    long total = Math.min(result.total(), FailedQueue.COUNT_CAP);
    long pages = Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
    String totalText = String.format("%,d", total) + (result.capped() ? "+" : "") + " failed call" + (total == 1 ? "" : "s")
        + " · page " + page + " of " + pages + (result.capped() ? "+" : "");
    String q = query(form);
    String back = "/failed" + (q.isEmpty() ? "" : "?" + q);
    String sep = q.isEmpty() ? "?" : "?" + q + "&";
    String prev = page > 1 ? "/failed" + sep + "page=" + (page - 1) : null;
    String next = page < pages || (result.capped() && rows.size() == PAGE_SIZE) ? "/failed" + sep + "page=" + (page + 1) : null;
    return new View(form, problem, message, rows, totalText, back, prev, next);
  }
}
