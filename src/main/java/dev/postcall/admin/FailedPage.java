package dev.postcall.admin;

import static dev.postcall.admin.Html.esc;
import static dev.postcall.admin.Html.time;
import static dev.postcall.admin.Html.url;

import dev.postcall.queue.Stage;
import java.util.List;

/** The failed-upload queue: filters, one page of calls, retry/discard of one or the selected ones. */
final class FailedPage {
  static final int PAGE_SIZE = 50;

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
    q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(url(v));
  }

  static String render(AdminAuth.Session s, FailedForm form, String problem, String message, FailedQueue.Page result,
      int page) {
    List<FailedRow> rows = result.rows();
    long total = Math.min(result.total(), FailedQueue.COUNT_CAP);
    StringBuilder b = new StringBuilder(16_384);
    if (message != null) b.append("<p class=\"msg\" id=\"message\">").append(esc(message)).append("</p>");
    if (problem != null) b.append("<p class=\"bad\" id=\"problem\">").append(esc(problem)).append("</p>");
    b.append("<form class=\"filters\" method=\"get\" action=\"/failed\" id=\"filters\">")
        .append("From <input type=\"date\" name=\"since\" value=\"").append(esc(form.since())).append("\">")
        .append("to <input type=\"date\" name=\"until\" value=\"").append(esc(form.until())).append("\">")
        .append("Stage <select name=\"stage\"><option value=\"\">any</option>");
    for (Stage st : Stage.values()) {
      if (st == Stage.DONE) continue;
      b.append("<option").append(st.name().equals(form.stage()) ? " selected" : "").append(">").append(st.name())
          .append("</option>");
    }
    b.append("</select>Number <input name=\"number\" size=\"12\" value=\"").append(esc(form.number())).append("\">")
        .append("Reason <input name=\"reason\" size=\"20\" value=\"").append(esc(form.reason())).append("\">")
        .append("<button id=\"apply-filters\">Filter</button> <a href=\"/failed\">clear</a></form>");

    long pages = Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
    b.append("<p id=\"total\">").append(String.format("%,d", total)).append(result.capped() ? "+" : "")
        .append(" failed call").append(total == 1 ? "" : "s").append(" · page ").append(page).append(" of ")
        .append(pages).append(result.capped() ? "+" : "").append("</p>");

    String back = "/failed" + (query(form).isEmpty() ? "" : "?" + query(form));
    b.append("<form method=\"post\" action=\"/failed/retry\" id=\"actions\">").append(Html.csrf(s))
        .append("<input type=\"hidden\" name=\"back\" value=\"").append(esc(back)).append("\">")
        .append("<p><button id=\"retry-selected\">Retry selected</button> ")
        .append("Reason <input name=\"reason\" id=\"discard-reason\" size=\"30\"> ")
        .append("<button class=\"discard\" id=\"discard-selected\" formaction=\"/failed/discard\">Discard selected</button></p>")
        .append("<table id=\"failed\"><thead><tr><th><input type=\"checkbox\" id=\"select-all\"></th><th>Call</th>")
        .append("<th>Caller</th><th>Called</th><th>Start (UTC)</th><th>Stage</th><th>Attempts</th>")
        .append("<th>Last error</th><th>Failed at (UTC)</th><th></th></tr></thead><tbody>");
    for (FailedRow r : rows) {
      String id = esc(r.uniqueid());
      b.append("<tr data-uniqueid=\"").append(id).append("\"><td><input type=\"checkbox\" name=\"id\" value=\"")
          .append(id).append("\"></td><td><a href=\"/calls/").append(esc(url(r.uniqueid()))).append("\">").append(id)
          .append("</a></td><td>").append(esc(r.callerNumber())).append("</td><td>").append(esc(r.calledNumber()))
          .append("</td><td>").append(time(r.start())).append("</td><td>").append(esc(r.stage())).append("</td><td>")
          .append(r.attempts()).append("</td><td class=\"error\">").append(esc(r.lastError())).append("</td><td>")
          .append(time(r.failedAt())).append("</td><td><button name=\"one\" value=\"").append(id)
          .append("\" class=\"retry-one\">Retry</button> <button name=\"one\" value=\"").append(id)
          .append("\" class=\"discard discard-one\" formaction=\"/failed/discard\">Discard</button></td></tr>");
    }
    b.append("</tbody></table></form><p>");
    String q = query(form);
    String sep = q.isEmpty() ? "?" : "?" + q + "&";
    if (page > 1) b.append("<a id=\"prev\" href=\"/failed").append(esc(sep)).append("page=").append(page - 1).append("\">« newer</a> ");
    if (page < pages || (result.capped() && rows.size() == PAGE_SIZE)) b.append("<a id=\"next\" href=\"/failed").append(esc(sep)).append("page=").append(page + 1).append("\">older »</a>");
    b.append("</p>");
    return Html.page("Failed uploads", s, b.toString());
  }
}
