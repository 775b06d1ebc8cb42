package dev.postcall.admin;

import dev.postcall.SafeText;
import dev.postcall.call.CallRecord;
import dev.postcall.call.CallRef;
import dev.postcall.queue.JobQueue;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
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
  private static final String SESSION = "postcall.session";
  private static final int MAX_ACTION_IDS = 500;
  private static final Pattern LOGIN_NONCE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Set<String> PUBLIC = Set.of("/health", "/ready", "/metrics", "/app.css", "/app.js", "/favicon.ico",
      "/login");

  private final AdminAuth auth;
  private final LoginThrottle throttle;
  private final FailedQueue failed;
  private final JobQueue jobs;
  private final RecordingLocator recordings;
  private final CallStatuses statuses;
  private final CallSearch search;
  private final CallDiscrepancies discrepancies;
  private final PrometheusMeterRegistry registry;
  private final AdminMetrics metrics;
  private final Health health;
  private final Clock clock;
  private final Pages pages = new Pages();
  private final String css = resource("static/app.css");
  private final String js = resource("static/app.js");
  /** One-shot messages shown on the page after a redirect, by session id. */
  private final Map<String, String> flash = new ConcurrentHashMap<>();

  Routes(AdminAuth auth, LoginThrottle throttle, FailedQueue failed, JobQueue jobs, RecordingLocator recordings,
      CallStatuses statuses, CallSearch search, CallDiscrepancies discrepancies, PrometheusMeterRegistry registry,
      AdminMetrics metrics, Health health, Clock clock) {
    this.auth = auth;
    this.throttle = throttle;
    this.failed = failed;
    this.jobs = jobs;
    this.recordings = recordings;
    this.statuses = statuses;
    this.search = search;
    this.discrepancies = discrepancies;
    this.registry = registry;
    this.metrics = metrics;
    this.health = health;
    this.clock = clock;
  }

  void register(JavalinConfig config) {
    config.http.prefer405over404 = true;
    var r = config.routes;
    r.before(this::requireSession);
    r.get("/health", ctx -> {
      Health.Result h = health.live();
      json(ctx, h.status(), h.json());
    });
    // details (hosts, errors) only for a logged-in admin; the session is not renewed by a probe
    r.get("/ready", ctx -> {
      Health.Result h = health.ready(auth.peek(Cookies.get(ctx, SESSION_COOKIE)));
      json(ctx, h.status(), h.json());
    });
    r.get("/metrics", this::scrape);
    r.get("/app.css", ctx -> send(ctx, 200, "text/css; charset=utf-8", css));
    r.get("/app.js", ctx -> send(ctx, 200, "text/javascript; charset=utf-8", js));
    r.get("/favicon.ico", ctx -> send(ctx, 404, "text/plain; charset=utf-8", ""));
    r.get("/login", ctx -> loginForm(ctx, 200, null));
    r.post("/login", this::login);
    r.get("/", this::dashboard);
    r.get("/dashboard", this::dashboard);
    r.get("/failed", this::failedPage);
    r.post("/failed/retry", this::retry);
    r.post("/failed/discard", this::discard);
    r.post("/logout", this::logout);
    r.get("/calls", this::callsPage);
    r.get("/calls/{id}", this::call);
    r.get("/calls/{id}/recording", this::recording);
    // a HEAD that only a GET route matches gets an empty 200 from Javalin: the player's needs its length
    r.head("/calls/{id}/recording", this::recording);

    r.exception(HttpResponseException.class, (e, ctx) -> {
      // Javalin's own answers (no such route, wrong method): status and reason, never the request back
      if (e.getStatus() == 404 && ctx.attribute(SESSION) != null) notFound(ctx, "No such page.");
      else text(ctx, e.getStatus(), e.getStatus() == 405 ? "method not allowed\n" : statusLine(e.getStatus()));
    });
    r.exception(IllegalArgumentException.class, (e, ctx) -> {
      // a request we cannot read (a broken form or query encoding): the client's fault, not ours
      log.debug("admin web {} {} refused: {}", ctx.method(), SafeText.printable(ctx.path()), e.toString());
      text(ctx, 400, "bad request\n");
    });
    r.exception(Exception.class, (e, ctx) -> {
      log.warn("admin web {} {} failed: {}", ctx.method(), SafeText.printable(ctx.path()), e.toString());
      // what failed stays in the log; the page names no exception
      html(ctx, 500, pages.render("message.jte", params("title", "Error", "session", null,
          "text", "Internal error. See the service log.", "cssClass", "err")));
    });
  }

  /** Everything but the public pages needs a session; every POST also its CSRF token. */
  private void requireSession(Context ctx) {
    if (PUBLIC.contains(ctx.path())) return;
    boolean get = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
    Optional<AdminAuth.Session> session = auth.session(Cookies.get(ctx, SESSION_COOKIE));
    if (session.isEmpty()) {
      if (get) redirect(ctx, "/login");
      else text(ctx, 401, "login required\n");
      ctx.skipRemainingHandlers();
      return;
    }
    AdminAuth.Session s = session.get();
    if (ctx.method() == HandlerType.POST) {
      String token = ctx.formParam("csrf");
      if (token == null) token = ctx.header("X-CSRF-Token");
      if (!AdminAuth.sameToken(s.csrf(), token)) {
        log.warn("admin web: POST {} without a valid CSRF token refused", SafeText.printable(ctx.path()));
        text(ctx, 403, "missing or wrong CSRF token\n");
        ctx.skipRemainingHandlers();
        return;
      }
    }
    ctx.attribute(SESSION, s);
  }

  private static AdminAuth.Session session(Context ctx) {
    return ctx.attribute(SESSION);
  }

  private void scrape(Context ctx) {
    try {
      metrics.refresh();
    } catch (SQLException e) {
      // the gauges keep their last values; /ready tells that the database is gone
      log.debug("metrics: queue counts not refreshed: {}", e.toString());
    }
    send(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
  }

  private void loginForm(Context ctx, int status, String problem) {
    // Login CSRF: the form carries a random value that must match a cookie only this site set.
    // Reuse a nonce the browser already holds: a second tab (or the favicon request redirected
    // here) must not invalidate the form that is already open.
    String nonce = Cookies.get(ctx, LOGIN_COOKIE);
    if (nonce == null || !LOGIN_NONCE.matcher(nonce).matches()) nonce = auth.randomToken();
    Cookies.set(ctx, LOGIN_COOKIE, nonce, 600);
    html(ctx, status, pages.render("login.jte", params("nonce", nonce, "problem", problem)));
  }

  private void login(Context ctx) {
    String nonce = Cookies.get(ctx, LOGIN_COOKIE);
    // an empty cookie and an empty field are "the same" too: only a nonce this site made counts
    if (!LOGIN_NONCE.matcher(String.valueOf(nonce)).matches() || !AdminAuth.sameToken(nonce, ctx.formParam("csrf"))) {
      text(ctx, 403, "missing or wrong CSRF token (reload the login page)\n");
      return;
    }
    String from = ctx.req().getRemoteAddr();
    Duration wait = throttle.waitFor(from);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      ctx.header("Retry-After", String.valueOf(seconds));
      loginForm(ctx, 429, "Too many wrong tokens from your address: wait " + seconds + " s before trying again.");
      return;
    }
    String who = ctx.formParam("who");
    who = "web:" + (who == null || who.isBlank() ? "admin" : who.strip().replaceAll("[^\\p{L}\\p{N}._@ -]", "_"));
    if (who.length() > 100) who = who.substring(0, 100);
    Optional<AdminAuth.Session> s = auth.login(ctx.formParam("token"), who);
    if (s.isEmpty()) {
      // counted and logged in summary by the throttle; never the token itself
      throttle.failed(from);
      loginForm(ctx, 401, "Wrong token.");
      return;
    }
    throttle.succeeded(from);
    log.info("admin web: {} logged in from {}", who, from);
    Cookies.set(ctx, LOGIN_COOKIE, "", 0);
    Cookies.set(ctx, SESSION_COOKIE, s.get().id(), -1);
    redirect(ctx, "/");
  }

  private void logout(Context ctx) {
    AdminAuth.Session s = session(ctx);
    auth.logout(s.id());
    flash.remove(s.id());
    Cookies.set(ctx, SESSION_COOKIE, "", 0);
    redirect(ctx, "/login");
  }

  private void dashboard(Context ctx) throws SQLException {
    Gauge lag = registry.find("postcall.backfill.lag").gauge();
    String lagText = lag == null ? "n/a (no backfill running here)" : String.format("%.0f s", lag.value());
    DashboardPage.View v = DashboardPage.view(failed.stats(), failed.deliveriesPerHour(24), lagText, clock.instant());
    html(ctx, 200, pages.render("dashboard.jte", Map.of("session", session(ctx), "v", v)));
  }

  private void failedPage(Context ctx) throws SQLException {
    FailedForm form = new FailedForm(ctx.queryParam("since"), ctx.queryParam("until"), ctx.queryParam("stage"),
        ctx.queryParam("number"), ctx.queryParam("reason"));
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
      if (ctx.queryParam("page") != null) page = Math.max(1, Math.min(1_000_000, Integer.parseInt(ctx.queryParam("page"))));
    } catch (NumberFormatException ignored) {
      // a broken page number shows the first page
    }
    AdminAuth.Session s = session(ctx);
    FailedQueue.Page rows = failed.page(filter, FailedPage.PAGE_SIZE, (page - 1) * FailedPage.PAGE_SIZE);
    FailedPage.View v = FailedPage.view(form, problem, flash.remove(s.id()), rows, page);
    html(ctx, problem == null ? 200 : 400, pages.render("failed.jte", Map.of("session", s, "v", v)));
  }

  /** The ids an action applies to: the row's own button, else the ticked boxes. */
  private static List<String> targets(Context ctx) {
    String one = ctx.formParam("one");
    List<String> ids = one != null ? List.of(one) : ctx.formParams("id");
    return ids.size() > MAX_ACTION_IDS ? ids.subList(0, MAX_ACTION_IDS) : ids;
  }

  private void retry(Context ctx) throws SQLException {
    AdminAuth.Session s = session(ctx);
    List<String> ids = targets(ctx);
    List<String> done = new ArrayList<>();
    for (String id : ids) {
      if (adminAction(() -> jobs.retry(CallRef.parse(id), s.who()))) {
        done.add(id);
        log.info("call {} put back for delivery by {}", id, s.who());
      }
    }
    metrics.retried(done.size());
    flash.put(s.id(), ids.isEmpty() ? "Nothing selected." : "Retrying " + done.size() + " of " + ids.size() + " call(s).");
    redirect(ctx, back(ctx));
  }

  private void discard(Context ctx) throws SQLException {
    AdminAuth.Session s = session(ctx);
    List<String> ids = targets(ctx);
    String reason = ctx.formParam("reason");
    if (reason == null || reason.isBlank()) {
      flash.put(s.id(), "A reason is required to discard.");
      redirect(ctx, back(ctx));
      return;
    }
    int n = 0;
    for (String id : ids) {
      if (adminAction(() -> jobs.discard(CallRef.parse(id), reason.strip(), s.who()))) {
        n++;
        log.info("call {} discarded by {}: {}", id, s.who(), reason.strip());
      }
    }
    metrics.discarded(n);
    flash.put(s.id(), ids.isEmpty() ? "Nothing selected." : "Discarded " + n + " of " + ids.size() + " call(s).");
    redirect(ctx, back(ctx));
  }

  private interface Action {
    boolean run() throws SQLException;
  }

  /** An action on a bare uniqueid several PBXs share is refused (the pages name the PBX: uniqueid@pbx). */
  private static boolean adminAction(Action a) throws SQLException {
    try {
      return a.run();
    } catch (CallRef.AmbiguousException e) {
      log.warn("{}", e.getMessage());
      return false;
    }
  }

  /** Where to go after an action: only our own pages, never an address from elsewhere. */
  private static String back(Context ctx) {
    String b = ctx.formParam("back");
    if (b != null && (b.equals("/failed") || b.startsWith("/failed?") || b.startsWith("/calls/"))
        && !b.contains("//") && !b.contains("\\") && b.chars().noneMatch(Character::isISOControl)) return b;
    return "/failed";
  }

  private void callsPage(Context ctx) throws SQLException {
    CallsPage.Form form = new CallsPage.Form(ctx.queryParam("number"), ctx.queryParam("since"), ctx.queryParam("until"),
        ctx.queryParam("status"), ctx.queryParam("agent"), ctx.queryParam("delivery"), ctx.queryParam("before"));
    String problem = null;
    List<CallSearch.Row> rows = List.of();
    try {
      rows = search.search(form.toFilter());
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
    }
    CallsPage.View v = CallsPage.view(form, problem, rows, statuses.names());
    html(ctx, problem == null ? 200 : 400, pages.render("calls.jte", Map.of("session", session(ctx), "v", v)));
  }

  /** The id is only ever a lookup key: no path from the request reaches the file system. */
  private static String uniqueid(Context ctx) {
    String id = ctx.pathParam("id");
    return id.isEmpty() || id.contains("/") ? null : id;
  }

  private void call(Context ctx) throws SQLException {
    AdminAuth.Session s = session(ctx);
    String uniqueid = uniqueid(ctx);
    Optional<CallDetail> d;
    try {
      d = uniqueid == null ? Optional.empty() : failed.show(CallRef.parse(uniqueid));
    } catch (CallRef.AmbiguousException e) {
      // a bare uniqueid two PBXs share (a link from before, a typed URL): the calls to choose from
      html(ctx, 300, pages.render("message.jte", params("title", "Several calls", "session", s, "text",
          e.getMessage() + ": open /calls/" + CallRef.parse(uniqueid).uniqueid() + "@<pbx>", "cssClass", "")));
      return;
    }
    if (d.isEmpty()) {
      notFound(ctx, uniqueid == null ? "No such call." : "No call " + uniqueid + ".");
      return;
    }
    CallRecord.Key key = d.get().call().key();
    CallPage.View v = CallPage.view(d.get(), statuses.apply(d.get().call()), recordings.expectedPath(CallRef.of(key)),
        flash.remove(s.id()), discrepancies.corrections(key), discrepancies.conflicts(key));
    html(ctx, 200, pages.render("call.jte", Map.of("session", s, "v", v)));
  }

  private void recording(Context ctx) throws Exception {
    String uniqueid = uniqueid(ctx);
    Optional<RecordingLocator.Recording> r;
    try {
      r = uniqueid == null ? Optional.empty() : recordings.find(CallRef.parse(uniqueid));
    } catch (CallRef.AmbiguousException e) {
      r = Optional.empty(); // which PBX's recording: the page names it (uniqueid@pbx)
    }
    if (r.isEmpty()) text(ctx, 404, "no recording\n");
    else RangeFile.serve(ctx, r.get().file(), r.get().contentType());
  }

  private void notFound(Context ctx, String text) {
    html(ctx, 404, pages.render("message.jte", params("title", "Not found", "session", session(ctx), "text", text,
        "cssClass", "")));
  }

  /** Template parameters; a null value is an absent one. */
  private static Map<String, Object> params(Object... kv) {
    Map<String, Object> out = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) out.put((String) kv[i], kv[i + 1]);
    return out;
  }

  private static void redirect(Context ctx, String location) {
    // 303 See Other: after a POST the browser GETs the page (no re-post on reload)
    ctx.header("Cache-Control", "no-store");
    ctx.redirect(location, HttpStatus.SEE_OTHER);
  }

  static void send(Context ctx, int status, String contentType, String body) {
    ctx.status(status);
    ctx.contentType(contentType);
    ctx.header("Cache-Control", "no-store");
    ctx.result(body);
  }

  static void html(Context ctx, int status, String body) {
    send(ctx, status, "text/html; charset=utf-8", body);
  }

  static void json(Context ctx, int status, String body) {
    send(ctx, status, "application/json", body);
  }

  static void text(Context ctx, int status, String body) {
    send(ctx, status, "text/plain; charset=utf-8", body);
  }

  static String statusLine(int status) {
    HttpStatus s = HttpStatus.forStatus(status);
    return status + " " + (s == HttpStatus.UNKNOWN ? "" : s.getMessage()) + "\n";
  }

  private static String resource(String name) {
    try (InputStream in = Routes.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
