package dev.postcall.admin;

import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * The server-side work of one failed-queue page (count, page query, HTML), as the web handler does
 * it — for the benchmark ({@code scripts/bench failed-page}), which must not need a browser or a
 * session. Returns the number of rows rendered.
 */
public final class FailedPageTiming {
  private final FailedQueue queue;
  private final AdminAuth.Session session = new AdminAuth.Session("bench", "bench-csrf", "bench", null);
  private final Pages pages = new Pages();

  public FailedPageTiming(DataSource ds, Clock clock) {
    this.queue = new FailedQueue(ds, clock);
  }

  public int render(FailedForm form, int page) throws SQLException {
    FailedFilter f = form.toFilter();
    FailedQueue.Page rows = queue.page(f, FailedPage.PAGE_SIZE, (page - 1) * FailedPage.PAGE_SIZE);
    String html = pages.render("failed.jte", java.util.Map.of("session", session,
        "v", FailedPage.view(form, null, null, rows, page)));
    return html.isEmpty() ? 0 : rows.rows().size();
  }
}
