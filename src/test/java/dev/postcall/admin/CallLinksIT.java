package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two PBXs' calls with the same uniqueid: the calls list and the failed list link each to its own
 * call (uniqueid@pbx), where the bare uniqueid can only answer "which one?" (300).
 */
class CallLinksIT {
  static final Pattern CALL_LINK = Pattern.compile("<a href=\"(/calls/[^\"/]+)\">");
  static WebFixture f;
  static HttpClient c;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    f.seed.failed("pbx-a", "700.1", "0301111", Instant.parse("2026-11-20T09:00:00Z"), Stage.ATTACH, "HTTP 503");
    f.seed.failed("pbx-b", "700.1", "0302222", Instant.parse("2026-11-21T09:00:00Z"), Stage.CREATE, "HTTP 500");
    f.start();
    c = (HttpClient) AdminWebITLogin.login(f)[0];
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(f.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> links(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = CALL_LINK.matcher(html);
    while (m.find()) out.add(m.group(1));
    return out;
  }

  @Test
  void the_bare_uniqueid_is_ambiguous() throws Exception {
    HttpResponse<String> r = get("/calls/700.1");
    assertEquals(300, r.statusCode(), r.body());
    assertTrue(r.body().contains("pbx-a") && r.body().contains("pbx-b"), r.body());
  }

  @Test
  void calls_list_links_carry_the_pbx() throws Exception {
    String page = get("/calls").body();
    assertEquals(List.of("/calls/700.1%40pbx-b", "/calls/700.1%40pbx-a"), links(page), page);
    assertTrue(page.contains("data-uniqueid=\"700.1\" data-pbx=\"pbx-b\""), page);
    followsToItsOwnCall(links(page));
  }

  @Test
  void failed_list_links_carry_the_pbx() throws Exception {
    String page = get("/failed").body();
    List<String> l = links(page);
    assertEquals(2, l.size(), page);
    assertTrue(l.containsAll(List.of("/calls/700.1%40pbx-a", "/calls/700.1%40pbx-b")), l.toString());
    followsToItsOwnCall(l);
  }

  /** Each link opens its PBX's call (the caller tells them apart), not the 300 page. */
  private static void followsToItsOwnCall(List<String> links) throws Exception {
    for (String link : links) {
      HttpResponse<String> r = get(link);
      assertEquals(200, r.statusCode(), link + ": " + r.body());
      String caller = link.endsWith("pbx-a") ? "0301111" : "0302222";
      String other = link.endsWith("pbx-a") ? "0302222" : "0301111";
      assertTrue(r.body().contains(caller) && !r.body().contains(other), link + ": " + r.body());
    }
  }
}
