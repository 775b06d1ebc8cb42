package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin web over plain HTTP: access control, CSRF, recording lookup and ranges, escaping. */
class AdminWebIT {
  static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  static WebFixture f;
  static byte[] wav = WebFixture.wav(2);

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    Instant t = Instant.parse("2026-11-21T09:00:00Z");
    f.seed.failed("500.1", "0301111", t, Stage.CREATE, "HTTP 503 <b>bold</b>");
    f.seed.failed("500.2", "0302222", t, Stage.ATTACH, "timeout");
    f.seed.failed("500.3", "0303333", t, Stage.ATTACH, "timeout");
    Files.write(f.recordings.resolve("500.1.wav"), wav);
    // a hostile caller name and a recording name that points out of the root
    f.db.exec("UPDATE calls SET caller_name = '<script>alert(1)</script>', recording = '../../../etc/passwd'"
        + " WHERE uniqueid = '500.2'");
    f.start();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  static HttpClient client() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  static HttpResponse<String> get(HttpClient c, String path) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(f.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient c, String path, String form) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(f.base() + path)).header("Content-Type",
        "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String csrfOf(String html) {
    Matcher m = CSRF.matcher(html);
    assertTrue(m.find(), "no csrf field in page");
    return m.group(1);
  }

  /** A client with a logged-in session; returns it with the session's CSRF token. */
  static Object[] login() throws Exception {
    HttpClient c = client();
    String nonce = csrfOf(get(c, "/login").body());
    HttpResponse<String> r = post(c, "/login", "csrf=" + enc(nonce) + "&who=tester&token=" + enc(WebFixture.TOKEN));
    assertEquals(303, r.statusCode(), r.body());
    String cookie = r.headers().allValues("set-cookie").stream().filter(h -> h.startsWith("pc_session=")).findFirst()
        .orElseThrow();
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
    return new Object[] {c, csrfOf(get(c, "/failed").body())};
  }

  @Test
  void nothing_but_login_health_and_metrics_answers_without_a_session() throws Exception {
    HttpClient c = client();
    for (String p : List.of("/", "/failed", "/calls/500.1", "/calls/500.1/recording", "/nope")) {
      HttpResponse<String> r = get(c, p);
      assertEquals(303, r.statusCode(), p);
      assertEquals("/login", URI.create(r.headers().firstValue("location").orElseThrow()).getPath(), p);
    }
    assertEquals(401, post(c, "/failed/retry", "one=500.3").statusCode());
    assertEquals(JobState.FAILED, state("500.3"));
    assertEquals(200, get(c, "/login").statusCode());
    assertEquals(200, get(c, "/health").statusCode());
  }

  @Test
  void wrong_token_or_missing_login_nonce_gets_no_session() throws Exception {
    HttpClient c = client();
    String nonce = csrfOf(get(c, "/login").body());
    HttpResponse<String> wrong = post(c, "/login", "csrf=" + enc(nonce) + "&token=guess");
    assertEquals(401, wrong.statusCode());
    assertFalse(wrong.headers().allValues("set-cookie").stream().anyMatch(h -> h.startsWith("pc_session=")));
    assertEquals(403, post(client(), "/login", "csrf=forged&token=" + enc(WebFixture.TOKEN)).statusCode());
    assertEquals(303, get(c, "/failed").statusCode());
  }

  @Test
  void post_without_the_csrf_token_is_refused() throws Exception {
    Object[] s = login();
    HttpClient c = (HttpClient) s[0];
    assertEquals(403, post(c, "/failed/retry", "one=500.3").statusCode());
    assertEquals(403, post(c, "/failed/retry", "one=500.3&csrf=wrong").statusCode());
    assertEquals(403, post(c, "/failed/discard", "one=500.3&reason=x").statusCode());
    assertEquals(JobState.FAILED, state("500.3"));
    HttpResponse<String> ok = post(c, "/failed/discard", "one=500.3&reason=dup&csrf=" + enc((String) s[1]));
    assertEquals(303, ok.statusCode());
    assertEquals(JobState.DISCARDED, state("500.3"));
    assertEquals(1, f.db.count("SELECT COUNT(*) FROM jobs WHERE discarded_by = 'web:tester' AND discard_reason = 'dup'"));
  }

  @Test
  void crafted_recording_urls_find_nothing() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    for (String p : List.of("/calls/../../etc/passwd/recording", "/calls/..%2F..%2Fetc%2Fpasswd/recording",
        "/calls/%2Fetc%2Fpasswd/recording", "/calls/500.1%00/recording", "/calls/999.9/recording",
        "/calls/500.2/recording", "/calls//recording", "/calls/500.1/recording/../../x")) {
      HttpResponse<String> r = get(c, p);
      assertTrue(r.statusCode() == 404 || r.statusCode() == 400, p + " -> " + r.statusCode());
      assertFalse(r.body().contains("root:"), p);
    }
    // a browser resolves the dots before sending: /etc/passwd/recording; sent raw, Jetty refuses a
    // path above the root with 400 before any handler runs; encoded separators and NUL too
    assertEquals(404, get(c, "/etc/passwd/recording").statusCode());
    assertEquals(400, get(c, "/calls/../../etc/passwd/recording").statusCode());
    assertEquals(404, get(c, "/calls/500.2/recording").statusCode());
    assertEquals(404, get(c, "/calls/999.9/recording").statusCode());
  }

  @Test
  void recording_is_served_whole_and_in_ranges() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    URI uri = URI.create(f.base() + "/calls/500.1/recording");
    HttpResponse<byte[]> whole = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, whole.statusCode());
    assertEquals("audio/wav", whole.headers().firstValue("content-type").orElseThrow());
    assertEquals("bytes", whole.headers().firstValue("accept-ranges").orElseThrow());
    assertArrayEquals(wav, whole.body());

    HttpResponse<byte[]> part = c.send(HttpRequest.newBuilder(uri).header("Range", "bytes=100-199").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, part.statusCode());
    assertEquals("bytes 100-199/" + wav.length, part.headers().firstValue("content-range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(wav, 100, 200), part.body());

    HttpResponse<byte[]> open = c.send(HttpRequest.newBuilder(uri).header("Range", "bytes=" + (wav.length - 10) + "-").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, open.statusCode());
    assertArrayEquals(Arrays.copyOfRange(wav, wav.length - 10, wav.length), open.body());

    HttpResponse<byte[]> suffix = c.send(HttpRequest.newBuilder(uri).header("Range", "bytes=-44").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertArrayEquals(Arrays.copyOfRange(wav, wav.length - 44, wav.length), suffix.body());

    HttpResponse<byte[]> beyond = c.send(HttpRequest.newBuilder(uri).header("Range", "bytes=" + wav.length + "-").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(416, beyond.statusCode());
    assertEquals("bytes */" + wav.length, beyond.headers().firstValue("content-range").orElseThrow());
  }

  @Test
  void database_values_are_escaped_in_html() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    String call = get(c, "/calls/500.2").body();
    assertTrue(call.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), call);
    assertFalse(call.contains("<script>alert"));
    String list = get(c, "/failed").body();
    assertTrue(list.contains("HTTP 503 &lt;b&gt;bold&lt;/b&gt;"));
    assertFalse(list.contains("<b>bold"));
    String reflected = get(c, "/failed?number=%22%3E%3Cscript%3E").body();
    assertFalse(reflected.contains("\"><script>"), "filter value reflected unescaped");
  }

  @Test
  void call_page_shows_cdr_status_mapping_and_history() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    HttpResponse<String> r = get(c, "/calls/500.1");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("ANSWER → <b>answered</b>"), r.body());
    assertTrue(r.body().contains("SIP/trunk-0001"));
    assertTrue(r.body().contains("<audio id=\"player\""));
    assertTrue(r.body().contains("<td>FAILED</td>"), "history lacks the failure");
    assertEquals(404, get(c, "/calls/999.9").statusCode());
  }

  @Test
  void dashboard_counts_jobs_by_state_and_stage() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    HttpResponse<String> r = get(c, "/");
    assertEquals(200, r.statusCode());
    long attach = f.db.count("SELECT COUNT(*) FROM jobs WHERE state = ? AND failed_stage = ?", JobState.FAILED, Stage.ATTACH);
    assertTrue(r.body().contains("<tr><td>FAILED</td><td>ATTACH</td><td>" + attach + "</td></tr>"), r.body());
    assertTrue(r.body().contains("id=\"per-hour\""));
  }

  @Test
  void head_of_a_recording_has_its_length_and_no_body() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    HttpResponse<byte[]> r = c.send(HttpRequest.newBuilder(URI.create(f.base() + "/calls/500.1/recording"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals(String.valueOf(wav.length), r.headers().firstValue("content-length").orElseThrow());
    assertEquals(0, r.body().length);
  }

  @Test
  void bad_filter_is_reported_not_fatal() throws Exception {
    HttpClient c = (HttpClient) login()[0];
    HttpResponse<String> r = get(c, "/failed?since=tomorrow&page=x");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("<p class=\"bad\" id=\"problem\">since: 'tomorrow' is not a date"), r.body());
    // the value comes back in the message and in the form field: escaped in both
    HttpResponse<String> hostile = get(c, "/failed?since=" + enc("\"><script>x</script>"));
    assertEquals(400, hostile.statusCode());
    assertTrue(hostile.body().contains("since: '\"&gt;&lt;script&gt;x&lt;/script&gt;' is not a date"), hostile.body());
    assertTrue(hostile.body().contains("name=\"since\" value=\"&#34;>&lt;script>x&lt;/script>\""), hostile.body());
    assertFalse(hostile.body().contains("<script>x"), hostile.body());
  }

  static JobState state(String uid) {
    return stateIn(f, uid);
  }

  static JobState stateIn(WebFixture f, String uid) {
    return f.db.state(uid);
  }
}
