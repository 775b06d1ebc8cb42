package dev.postcall.admin;

import static dev.postcall.admin.Html.esc;

import dev.postcall.call.CallRecord;
import dev.postcall.queue.JobQueue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every URL of the admin web. Only {@code /health}, {@code /ready}, {@code /metrics}, the login and
 * the two static files answer without a session; every POST needs the session's CSRF token.
 */
final class Routes {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);
  static final String SESSION_COOKIE = "pc_session";
  static final String LOGIN_COOKIE = "pc_login";
  private static final int MAX_ACTION_IDS = 500;
  private static final java.util.regex.Pattern LOGIN_NONCE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{43}");

  private final AdminAuth auth;
  private final LoginThrottle throttle;
  private final FailedQueue failed;
  private final JobQueue jobs;
  private final RecordingLocator recordings;
  private final Function<CallRecord, String> statusMapping;
  private final PrometheusMeterRegistry registry;
  private final AdminMetrics metrics;
  private final Health health;
  private final Clock clock;
  /** One-shot messages shown on the page after a redirect, by session id. */
  private final Map<String, String> flash = new ConcurrentHashMap<>();

  Routes(AdminAuth auth, LoginThrottle throttle, FailedQueue failed, JobQueue jobs, RecordingLocator recordings,
      Function<CallRecord, String> statusMapping, PrometheusMeterRegistry registry, AdminMetrics metrics,
      Health health, Clock clock) {
    this.auth = auth;
    this.throttle = throttle;
    this.failed = failed;
    this.jobs = jobs;
    this.recordings = recordings;
    this.statusMapping = statusMapping;
    this.registry = registry;
    this.metrics = metrics;
    this.health = health;
    this.clock = clock;
  }

  void handle(Exchange x) {
    SecurityHeaders.apply(x.res.getHeaders());
    try {
      route(x);
    } catch (IllegalArgumentException e) {
      // a request we cannot read (a broken form or query encoding): the client's fault, not ours
      log.debug("admin web {} {} refused: {}", x.method(), dev.postcall.SafeText.printable(x.path()), e.toString());
      if (!x.res.isCommitted()) x.text(400, "bad request\n");
      else x.cb.failed(e);
    } catch (Exception e) {
      log.warn("admin web {} {} failed: {}", x.method(), dev.postcall.SafeText.printable(x.path()), e.toString());
      // what failed stays in the log; the page names no exception
      if (!x.res.isCommitted()) x.html(500, Html.page("Error", null, "<p class=\"err\">Internal error. See the service log.</p>"));
      else x.cb.failed(e);
    }
  }

  private void route(Exchange x) throws Exception {
    String p = x.path();
    boolean get = "GET".equals(x.method()) || "HEAD".equals(x.method());
    boolean post = "POST".equals(x.method());
    if (get && p.equals("/health")) {
      Health.Result r = health.live();
      x.json(r.status(), r.json());
      return;
    }
    if (get && p.equals("/ready")) {
      // details (hosts, errors) only for a logged-in admin; the session is not renewed by a probe
      Health.Result r = health.ready(auth.peek(x.cookie(SESSION_COOKIE)));
      x.json(r.status(), r.json());
      return;
    }
    if (get && p.equals("/metrics")) {
      scrape(x);
      return;
    }
    if (get && p.equals("/app.css")) {
      x.send(200, "text/css; charset=utf-8", Html.CSS);
      return;
    }
    if (get && p.equals("/app.js")) {
      x.send(200, "text/javascript; charset=utf-8", Html.JS);
      return;
    }
    if (get && p.equals("/favicon.ico")) {
      x.text(404, "");
      return;
    }
    if (p.equals("/login")) {
      if (get) loginForm(x, 200, null);
      else if (post) login(x);
      else x.text(405, "method not allowed\n");
      return;
    }

    Optional<AdminAuth.Session> session = auth.session(x.cookie(SESSION_COOKIE));
    if (session.isEmpty()) {
      if (get) x.redirect("/login");
      else x.text(401, "login required\n");
      return;
    }
    AdminAuth.Session s = session.get();
    if (post) {
      String token = x.form("csrf");
      if (token == null) token = x.header("X-CSRF-Token");
      if (!AdminAuth.sameToken(s.csrf(), token)) {
        log.warn("admin web: POST {} without a valid CSRF token refused", x.path());
        x.text(403, "missing or wrong CSRF token\n");
        return;
      }
    }
    if (get && (p.equals("/") || p.equals("/dashboard"))) dashboard(x, s);
    else if (get && p.equals("/failed")) failedPage(x, s);
    else if (post && p.equals("/failed/retry")) retry(x, s);
    else if (post && p.equals("/failed/discard")) discard(x, s);
    else if (post && p.equals("/logout")) {
      auth.logout(s.id());
      flash.remove(s.id());
      x.setCookie(SESSION_COOKIE, "", 0);
      x.redirect("/login");
    } else if (get && p.startsWith("/calls/")) call(x, s, p.substring("/calls/".length()));
    else x.html(404, Html.page("Not found", s, "<p>No such page.</p>"));
  }

  private void scrape(Exchange x) {
    try {
      metrics.refresh();
    } catch (SQLException e) {
      // the gauges keep their last values; /ready tells that the database is gone
      log.debug("metrics: queue counts not refreshed: {}", e.toString());
    }
    x.send(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
  }

  private void loginForm(Exchange x, int status, String problem) {
    // Login CSRF: the form carries a random value that must match a cookie only this site set.
    // Reuse a nonce the browser already holds: a second tab (or the favicon request redirected
    // here) must not invalidate the form that is already open.
    String nonce = x.cookie(LOGIN_COOKIE);
    if (nonce == null || !LOGIN_NONCE.matcher(nonce).matches()) nonce = auth.randomToken();
    x.setCookie(LOGIN_COOKIE, nonce, 600);
    String body = (problem == null ? "" : "<p class=\"bad\" id=\"problem\">" + esc(problem) + "</p>")
        + "<form method=\"post\" action=\"/login\" id=\"login\"><input type=\"hidden\" name=\"csrf\" value=\""
        + esc(nonce) + "\"><p>Your name (for the audit) <input name=\"who\" id=\"who\" size=\"20\"></p>"
        + "<p>Admin token <input type=\"password\" name=\"token\" id=\"token\" size=\"40\" autofocus></p>"
        + "<p><button id=\"login-button\">Log in</button></p></form>";
    x.html(status, Html.page("Log in", null, body));
  }

  private void login(Exchange x) {
    String nonce = x.cookie(LOGIN_COOKIE);
    // an empty cookie and an empty field are "the same" too: only a nonce this site made counts
    if (!LOGIN_NONCE.matcher(String.valueOf(nonce)).matches() || !AdminAuth.sameToken(nonce, x.form("csrf"))) {
      x.text(403, "missing or wrong CSRF token (reload the login page)\n");
      return;
    }
    String from = org.eclipse.jetty.server.Request.getRemoteAddr(x.req);
    java.time.Duration wait = throttle.waitFor(from);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      x.res.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(seconds));
      loginForm(x, 429, "Too many wrong tokens from your address: wait " + seconds + " s before trying again.");
      return;
    }
    String who = x.form("who");
    who = "web:" + (who == null || who.isBlank() ? "admin" : who.strip().replaceAll("[^\\p{L}\\p{N}._@ -]", "_"));
    if (who.length() > 100) who = who.substring(0, 100);
    Optional<AdminAuth.Session> s = auth.login(x.form("token"), who);
    if (s.isEmpty()) {
      // counted and logged in summary by the throttle; never the token itself
      throttle.failed(from);
      loginForm(x, 401, "Wrong token.");
      return;
    }
    throttle.succeeded(from);
    log.info("admin web: {} logged in from {}", who, from);
    x.setCookie(LOGIN_COOKIE, "", 0);
    x.setCookie(SESSION_COOKIE, s.get().id(), -1);
    x.redirect("/");
  }

  private void dashboard(Exchange x, AdminAuth.Session s) throws SQLException {
    Gauge lag = registry.find("postcall.backfill.lag").gauge();
    String lagText = lag == null ? "n/a (no backfill running here)" : String.format("%.0f s", lag.value());
    x.html(200, DashboardPage.render(s, failed.stats(), failed.deliveriesPerHour(24), lagText, clock.instant()));
  }

  private void failedPage(Exchange x, AdminAuth.Session s) throws SQLException {
    FailedForm form = new FailedForm(x.query("since"), x.query("until"), x.query("stage"), x.query("number"),
        x.query("reason"));
    FailedFilter filter;
    String problem = null;
    try {
      filter = form.toFilter();
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
      filter = FailedFilter.ALL;
    }
    int page = 1;
    try {
      if (x.query("page") != null) page = Math.max(1, Math.min(1_000_000, Integer.parseInt(x.query("page"))));
    } catch (NumberFormatException ignored) {
      // a broken page number shows the first page
    }
    FailedQueue.Page rows = failed.page(filter, FailedPage.PAGE_SIZE, (page - 1) * FailedPage.PAGE_SIZE);
    x.html(problem == null ? 200 : 400, FailedPage.render(s, form, problem, flash.remove(s.id()), rows, page));
  }

  /** The ids an action applies to: the row's own button, else the ticked boxes. */
  private static List<String> targets(Exchange x) {
    String one = x.form("one");
    List<String> ids = one != null ? List.of(one) : x.formAll("id");
    return ids.size() > MAX_ACTION_IDS ? ids.subList(0, MAX_ACTION_IDS) : ids;
  }

  private void retry(Exchange x, AdminAuth.Session s) throws SQLException {
    List<String> ids = targets(x);
    List<String> done = new ArrayList<>();
    for (String id : ids) {
      if (jobs.retry(id, s.who())) {
        done.add(id);
        log.info("call {} put back for delivery by {}", id, s.who());
      }
    }
    metrics.retried(done.size());
    flash.put(s.id(), ids.isEmpty() ? "Nothing selected." : "Retrying " + done.size() + " of " + ids.size() + " call(s).");
    x.redirect(back(x));
  }

  private void discard(Exchange x, AdminAuth.Session s) throws SQLException {
    List<String> ids = targets(x);
    String reason = x.form("reason");
    if (reason == null || reason.isBlank()) {
      flash.put(s.id(), "A reason is required to discard.");
      x.redirect(back(x));
      return;
    }
    int n = 0;
    for (String id : ids) {
      if (jobs.discard(id, reason.strip(), s.who())) {
        n++;
        log.info("call {} discarded by {}: {}", id, s.who(), reason.strip());
      }
    }
    metrics.discarded(n);
    flash.put(s.id(), ids.isEmpty() ? "Nothing selected." : "Discarded " + n + " of " + ids.size() + " call(s).");
    x.redirect(back(x));
  }

  /** Where to go after an action: only our own pages, never an address from elsewhere. */
  private static String back(Exchange x) {
    String b = x.form("back");
    if (b != null && (b.equals("/failed") || b.startsWith("/failed?") || b.startsWith("/calls/"))
        && !b.contains("//") && !b.contains("\\") && b.chars().noneMatch(Character::isISOControl)) return b;
    return "/failed";
  }

  private void call(Exchange x, AdminAuth.Session s, String rest) throws Exception {
    String uniqueid = rest;
    boolean recording = false;
    if (rest.endsWith("/recording")) {
      uniqueid = rest.substring(0, rest.length() - "/recording".length());
      recording = true;
    }
    // the id is only ever a lookup key: no path from the request reaches the file system
    if (uniqueid.isEmpty() || uniqueid.contains("/")) {
      x.html(404, Html.page("Not found", s, "<p>No such call.</p>"));
      return;
    }
    if (recording) {
      Optional<RecordingLocator.Recording> r = recordings.find(uniqueid);
      if (r.isEmpty()) x.text(404, "no recording\n");
      else RangeFile.serve(x, r.get().file(), r.get().contentType());
      return;
    }
    Optional<CallDetail> d = failed.show(uniqueid);
    if (d.isEmpty()) {
      x.html(404, Html.page("Not found", s, "<p>No call " + esc(uniqueid) + ".</p>"));
      return;
    }
    x.html(200, CallPage.render(s, d.get(), statusMapping.apply(d.get().call()), recordings.expectedPath(uniqueid),
        flash.remove(s.id())));
  }
}
