package dev.postcall.admin;

import static dev.postcall.admin.AdminWebIT.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls page over HTTP: search by number, dates, status, delivery; keyset paging; a call's detail; escaping. */
class CallsPageIT {
  static final Pattern ROW = Pattern.compile("<tr data-uniqueid=\"([^\"]+)\"[^>]*>");
  static final Pattern NEXT = Pattern.compile("<a id=\"next\" href=\"([^\"]+)\">");
  static final Instant DAY1 = Instant.parse("2026-11-20T09:00:00Z");
  static final Instant DAY2 = Instant.parse("2026-11-21T09:00:00Z");
  static final Instant DAY3 = Instant.parse("2026-11-22T09:00:00Z");
  static WebFixture f;
  static HttpClient c;
  static String csrf;
  static final byte[] WAV = WebFixture.wav(1);

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    f.seed.delivered("800.1", "0301111", DAY1);
    f.seed.failed("800.2", "0302222", DAY2, Stage.ATTACH, "HTTP 503 <i>busy</i>");
    f.seed.pending("800.3", "0409999", DAY3);
    f.seed.delivered("800.4", "0702222", DAY3.plusSeconds(60));
    // a caller whose name is markup, a call nobody answered
    f.db.exec("UPDATE calls SET caller_name = '<script>alert(1)</script>' WHERE uniqueid = '800.2'");
    f.db.exec("UPDATE calls SET dial_status = 'NOANSWER', disposition = 'NO ANSWER' WHERE uniqueid = '800.3'");
    f.db.exec("UPDATE calls SET agent = 'PJSIP/201' WHERE uniqueid IN ('800.1', '800.4')");
    f.db.exec("UPDATE calls SET agent = 'PJSIP/2010' WHERE uniqueid = '800.2'");
    f.db.exec("UPDATE calls SET recording_overwritten = TRUE WHERE uniqueid = '800.1'");
    // Master.csv told a longer call than the AGI path delivered; a hangup that disagreed
    f.db.exec("INSERT INTO call_corrections (call_id, pbx_id, uniqueid, old_end, old_duration, old_billsec, new_end, new_duration,"
        + " new_billsec, job_state, job_stage, recorded_at) SELECT id, pbx_id, uniqueid, end_time, 63, 60,"
        + " end_time + INTERVAL 20 SECOND, 83, 80, ?, ?, UTC_TIMESTAMP(3) FROM calls WHERE uniqueid = '800.1'", JobState.DONE,
        Stage.DONE);
    f.db.exec("INSERT INTO call_conflicts (pbx_id, uniqueid, kind, call_id, fields, kept, rejected, fingerprint, detected_at)"
        + " SELECT pbx_id, uniqueid, 'HANGUP_DIFFERS', id, 'caller_number', '{\"caller\":\"0301111\"}', '{\"caller\":\"<b>666</b>\"}',"
        + " REPEAT('a', 64), UTC_TIMESTAMP(3) FROM calls WHERE uniqueid = '800.1'");
    Files.write(f.recordings.resolve("800.1.wav"), WAV);
    // a page and a bit of calls on a fourth day, one second apart, for paging
    for (int i = 0; i < CallsPage.PAGE_SIZE + 7; i++)
      f.seed.pending(String.format("900.%03d", i), "0555" + String.format("%03d", i), Instant.parse("2026-11-25T08:00:00Z").plusSeconds(i));
    f.start();
    Object[] s = AdminWebITLogin.login(f);
    c = (HttpClient) s[0];
    csrf = AdminWebIT.csrfOf(get("/calls").body());
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(f.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> ids(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = ROW.matcher(html);
    while (m.find()) out.add(m.group(1));
    return out;
  }

  static List<String> search(String query) throws Exception {
    HttpResponse<String> r = get("/calls?" + query);
    assertEquals(200, r.statusCode(), query + ": " + r.body());
    return ids(r.body());
  }

  @Test
  void search_by_any_part_of_a_number_newest_first() throws Exception {
    assertEquals(List.of("800.4", "800.2"), search("number=2222"));
    assertEquals(List.of("800.2", "800.1"), search("number=030&until=2026-11-24"));
    // the called number too: every seeded call went to 201
    assertTrue(search("number=201&until=2026-11-24").containsAll(List.of("800.1", "800.2", "800.3", "800.4")));
    // the user's % and _ are literal, not wildcards
    assertEquals(List.of(), search("number=" + enc("03%1")));
  }

  @Test
  void search_by_date_status_and_delivery() throws Exception {
    assertEquals(List.of("800.2"), search("since=2026-11-21&until=2026-11-21"));
    assertEquals(List.of("800.4", "800.3", "800.2"), search("since=2026-11-21&until=2026-11-22"));
    assertEquals(List.of("800.3"), search("status=unanswered&until=2026-11-24"));
    assertEquals(List.of("800.4", "800.2", "800.1"), search("status=answered&until=2026-11-24"));
    assertEquals(List.of("800.2"), search("delivery=failed"));
    assertEquals(List.of("800.4", "800.1"), search("delivery=DONE"));
    assertEquals(List.of("800.4"), search("delivery=done&number=0702"));
    // the answering agent exactly: PJSIP/201 is not PJSIP/2010
    assertEquals(List.of("800.4", "800.1"), search("agent=" + enc("PJSIP/201")));
    assertEquals(List.of("800.2"), search("agent=" + enc("PJSIP/2010")));

    HttpResponse<String> bad = get("/calls?status=" + enc("<b>nope</b>"));
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("unknown status '&lt;b&gt;nope&lt;/b&gt;'"), bad.body());
    assertEquals(400, get("/calls?since=yesterday").statusCode());
    assertEquals(400, get("/calls?delivery=lost").statusCode());
    assertEquals(400, get("/calls?before=" + enc("1'--")).statusCode());
  }

  @Test
  void pages_follow_each_other_by_keyset_without_gaps_or_repeats() throws Exception {
    HttpResponse<String> first = get("/calls?number=0555");
    List<String> one = ids(first.body());
    assertEquals(CallsPage.PAGE_SIZE, one.size());
    assertEquals("900.056", one.get(0), "newest first");
    Matcher next = NEXT.matcher(first.body());
    assertTrue(next.find(), "no link to the older page");
    String href = next.group(1).replace("&amp;", "&");
    assertTrue(href.contains("number=0555") && href.contains("before="), href);
    HttpResponse<String> second = get(href);
    List<String> two = ids(second.body());
    assertEquals(7, two.size(), second.body());
    assertEquals("900.006", two.get(0));
    assertEquals("900.000", two.get(6));
    HashSet<String> all = new HashSet<>(one);
    all.addAll(two);
    assertEquals(CallsPage.PAGE_SIZE + 7, all.size());
    assertFalse(NEXT.matcher(second.body()).find(), "a next link after the last page");
  }

  @Test
  void hostile_values_are_escaped_on_the_calls_pages() throws Exception {
    String list = get("/calls?number=0302222").body();
    assertTrue(list.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), list);
    assertFalse(list.contains("<script>alert"), list);
    String reflected = get("/calls?number=" + enc("\"><script>x</script>") + "&agent=" + enc("'><img src=x>")).body();
    assertFalse(reflected.contains("<script>x"), reflected);
    assertFalse(reflected.contains("<img src=x>"), reflected);
    assertTrue(reflected.contains("name=\"number\" size=\"12\" value=\"&#34;>&lt;script>x&lt;/script>\""), reflected);
    String detail = get("/calls/800.2").body();
    assertFalse(detail.contains("<script>alert"), detail);
    assertTrue(detail.contains("HTTP 503 &lt;i&gt;busy&lt;/i&gt;"), detail);
    String conflict = get("/calls/800.1").body();
    assertTrue(conflict.contains("&lt;b&gt;666&lt;/b&gt;"), conflict);
    assertFalse(conflict.contains("<b>666"), conflict);
  }

  @Test
  void a_call_shows_its_timing_paths_attempts_corrections_conflicts_and_player() throws Exception {
    HttpResponse<String> r = get("/calls/800.1");
    assertEquals(200, r.statusCode());
    String b = r.body();
    assertTrue(b.contains("<dt>start (UTC)</dt><dd>2026-11-20 09:00:00</dd>"), b);
    assertTrue(b.contains("<dt>billsec (s)</dt><dd>60</dd>"), b);
    assertTrue(b.contains("<dt>answered by</dt><dd>PJSIP/201</dd>"), b);
    assertTrue(b.contains("AGI (captured at hangup); Master.csv saw it too and corrected its timing 1 time(s)"), b);
    assertTrue(b.contains("<table id=\"corrections\">"), b);
    assertTrue(b.contains("<td>63 → 83</td><td>60 → 80</td>"), b);
    assertTrue(b.contains("<table id=\"conflicts\">") && b.contains("<td>HANGUP_DIFFERS</td><td>caller_number</td>"), b);
    assertTrue(b.contains("<audio id=\"player\""), b);
    assertTrue(b.contains("<p class=\"msg\" id=\"recording-flags\">Flagged overwritten: two MixMonitors wrote one file"), b);
    // every delivery attempt, from the job's events
    long events = f.db.count("SELECT COUNT(*) FROM job_events e JOIN jobs j ON j.id = e.job_id JOIN calls c ON c.id = j.call_id"
        + " WHERE c.uniqueid = '800.1'");
    assertTrue(events > 0);
    String history = b.substring(b.indexOf("<table id=\"history\">"), b.indexOf("</table>", b.indexOf("<table id=\"history\">")));
    assertEquals(events, history.split("<tr><td>").length - 1, history);
    assertTrue(history.contains("<td>DONE</td>"), history);

    String failed = get("/calls/800.2").body();
    assertTrue(failed.contains("<td>FAILED</td>"), failed);
    assertTrue(failed.contains("id=\"retry-call\""), failed);
    assertTrue(failed.contains("<p id=\"no-corrections\">"), failed);
    assertFalse(failed.contains("<table id=\"conflicts\">"), failed);
    assertTrue(failed.contains("id=\"no-recording\""), failed);
    assertFalse(failed.contains("id=\"recording-flags\""), failed);

    // the recording plays in ranges from the list's link
    HttpResponse<byte[]> part = c.send(HttpRequest.newBuilder(URI.create(f.base() + "/calls/800.1/recording"))
        .header("Range", "bytes=0-3").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, part.statusCode());
    assertEquals("RIFF", new String(part.body()));
  }

  @Test
  void calls_need_a_session_and_the_actions_on_a_call_need_the_csrf_token() throws Exception {
    HttpClient anonymous = AdminWebIT.client();
    for (String p : List.of("/calls", "/calls?number=030", "/calls/800.2")) {
      HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(f.base() + p)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(303, r.statusCode(), p);
      assertEquals("/login", URI.create(r.headers().firstValue("location").orElseThrow()).getPath(), p);
    }
    HttpRequest.Builder retry = HttpRequest.newBuilder(URI.create(f.base() + "/failed/retry"))
        .header("Content-Type", "application/x-www-form-urlencoded");
    assertEquals(403, c.send(retry.POST(HttpRequest.BodyPublishers.ofString("one=800.2&back=/calls/800.2")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(JobState.FAILED, AdminWebIT.stateIn(f, "800.2"));
    HttpResponse<String> ok = c.send(retry.POST(HttpRequest.BodyPublishers.ofString("one=800.2&back=/calls/800.2&csrf="
        + enc(csrf))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, ok.statusCode());
    assertEquals("/calls/800.2", ok.headers().firstValue("location").map(l -> URI.create(l).getPath()).orElseThrow());
    assertEquals(JobState.PENDING, AdminWebIT.stateIn(f, "800.2"));
    // put back as it was for the other tests
    f.db.exec("UPDATE jobs j JOIN calls c ON c.id = j.call_id SET j.state = ? WHERE c.uniqueid = '800.2'", JobState.FAILED);
  }
}
