package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A login burst from one address: backoff (time moved, not slept), metrics, one summary line; login CSRF. */
class AdminLoginAttackIT {
  static WebFixture f;
  final HttpClient c = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    f.start();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(f.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postLogin(String cookie, String form) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (cookie != null) b.header("Cookie", cookie);
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void a_burst_of_guesses_is_throttled_counted_and_logged_in_summary() throws Exception {
    Logger routes = (Logger) LoggerFactory.getLogger("dev.postcall.admin");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    routes.addAppender(logs);
    try {
      String nonce = AdminWebIT.csrfOf(get("/login").body());
      String cookie = "pc_login=" + nonce;
      int checked = 0, throttled = 0;
      for (int i = 0; i < 300; i++) {
        HttpResponse<String> r = postLogin(cookie, "csrf=" + nonce + "&token=guess-" + i);
        if (r.statusCode() == 401) checked++;
        else if (r.statusCode() == 429) {
          throttled++;
          assertTrue(r.headers().firstValue("retry-after").isPresent());
        } else throw new AssertionError("unexpected " + r.statusCode());
        assertFalse(r.headers().allValues("set-cookie").stream().anyMatch(h -> h.startsWith("pc_session=")));
      }
      // five free failures and one more that starts the backoff; the clock stands still, so no more
      assertEquals(LoginThrottle.FREE_FAILURES + 1, checked);
      assertEquals(300 - checked, throttled);
      // while backing off even the right token is not looked at
      assertEquals(429, postLogin(cookie, "csrf=" + nonce + "&token=" + enc(WebFixture.TOKEN)).statusCode());

      f.clock.advance(LoginThrottle.FIRST_WAIT);
      assertEquals(401, postLogin(cookie, "csrf=" + nonce + "&token=again").statusCode());
      // the next wait is twice as long
      f.clock.advance(LoginThrottle.FIRST_WAIT);
      assertEquals(429, postLogin(cookie, "csrf=" + nonce + "&token=" + enc(WebFixture.TOKEN)).statusCode());
      f.clock.advance(LoginThrottle.FIRST_WAIT);
      assertEquals(303, postLogin(cookie, "csrf=" + nonce + "&token=" + enc(WebFixture.TOKEN)).statusCode(), "right token after the wait");

      String metrics = get("/metrics").body();
      assertTrue(metrics.contains("postcall_admin_login_failures_total " + (checked + 1) + ".0"), metrics);
      assertTrue(metrics.contains("postcall_admin_login_throttled_total " + (throttled + 2) + ".0"), metrics);

      f.clock.advance(LoginThrottle.SUMMARY_EVERY);
      postLogin(cookie, "csrf=" + nonce + "&token=after-a-minute");
      List<String> warns;
      synchronized (logs) {
        warns = logs.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).map(ILoggingEvent::getFormattedMessage).toList();
      }
      assertEquals(1, warns.stream().filter(w -> w.contains("failed login")).count(), String.join("\n", warns));
      String summary = (checked + 1) + " failed login(s) and " + (throttled + 2) + " refused";
      assertTrue(warns.stream().anyMatch(w -> w.contains(summary)), String.join("\n", warns));
      assertFalse(String.join("\n", warns).contains("guess-"), "no token in the log");
    } finally {
      routes.detachAppender(logs);
    }
  }

  @Test
  void an_empty_login_form_with_an_empty_cookie_is_refused() throws Exception {
    assertEquals(403, postLogin("pc_login=", "csrf=&token=" + enc(WebFixture.TOKEN)).statusCode());
    assertEquals(403, postLogin(null, "token=" + enc(WebFixture.TOKEN)).statusCode());
    assertEquals(403, postLogin("pc_login=x", "csrf=x&token=" + enc(WebFixture.TOKEN)).statusCode());
  }
}
