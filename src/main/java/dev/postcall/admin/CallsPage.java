package dev.postcall.admin;

import dev.postcall.queue.JobState;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** All calls, newest first, searched by number, dates, status, agent and delivery; paged by keyset. */
final class CallsPage {
  static final int PAGE_SIZE = 50;

  /** The search as typed into the form (or a paging link); {@code before} is the cursor of the page. */
  record Form(String number, String since, String until, String status, String agent, String delivery, String before) {
    /** One row more than a page: whether there is an older page. */
    CallSearch.Filter toFilter() {
      JobState state = null;
      if (delivery != null && !delivery.isBlank()) {
        try {
          state = JobState.valueOf(delivery.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("unknown delivery state '" + delivery + "' (known: pending, claimed, done, failed, discarded)");
        }
      }
      return new CallSearch.Filter(CallSearch.date("from", since, false), CallSearch.date("to", until, true), blank(number),
          blank(status), blank(agent), PAGE_SIZE + 1, state, cursor(before));
    }

    /** The query of this search without the page, for the paging links. */
    String query() {
      StringBuilder q = new StringBuilder();
      add(q, "number", number);
      add(q, "since", since);
      add(q, "until", until);
      add(q, "status", status);
      add(q, "agent", agent);
      add(q, "delivery", delivery);
      return q.toString();
    }
  }

  record View(Form form, String problem, List<CallSearch.Row> rows, String firstHref, String nextHref,
      Collection<String> statuses) {}

  private CallsPage() {}

  static View view(Form form, String problem, List<CallSearch.Row> found, Collection<String> statuses) {
    List<CallSearch.Row> rows = found.size() > PAGE_SIZE ? found.subList(0, PAGE_SIZE) : found;
    String q = form.query();
    String base = "/calls" + (q.isEmpty() ? "" : "?" + q);
    String sep = q.isEmpty() ? "?" : "?" + q + "&";
    String next = null;
    if (found.size() > PAGE_SIZE && rows.get(rows.size() - 1).start() != null)
      next = "/calls" + sep + "before=" + cursor(rows.get(rows.size() - 1).cursor());
    String first = form.before() != null && !form.before().isBlank() ? base : null;
    return new View(form, problem, rows, first, next, statuses);
  }

  /** {@code epochMillis_id}: opaque to the user, checked on the way back in. */
  static String cursor(CallSearch.Cursor c) {
    return c.start().toEpochMilli() + "_" + c.id();
  }

  static CallSearch.Cursor cursor(String s) {
    if (s == null || s.isBlank()) return null;
    int us = s.indexOf('_');
    try {
      if (us > 0) return new CallSearch.Cursor(Instant.ofEpochMilli(Long.parseLong(s.substring(0, us))),
          Long.parseLong(s.substring(us + 1)));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      // reported below
    }
    throw new IllegalArgumentException("page: '" + s + "' is not a position in the list (start again from the newest)");
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static void add(StringBuilder q, String k, String v) {
    if (v == null || v.isBlank()) return;
    q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(Format.url(v));
  }
}
