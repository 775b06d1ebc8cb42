package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;

/** Logs a fresh HTTP client in to a {@link WebFixture}'s admin web; returns it with its CSRF token. */
final class AdminWebITLogin {
  private AdminWebITLogin() {}

  static Object[] login(WebFixture f) throws Exception {
    HttpClient c = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
    String nonce = csrf(c.send(HttpRequest.newBuilder(URI.create(f.base() + "/login")).build(), HttpResponse.BodyHandlers.ofString()).body());
    HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(f.base() + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + enc(nonce) + "&who=tester&token=" + enc(WebFixture.TOKEN))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(303, r.statusCode(), r.body());
    return new Object[] {c, nonce};
  }

  private static String csrf(String html) {
    Matcher m = AdminWebIT.CSRF.matcher(html);
    assertTrue(m.find(), "no csrf field in page");
    return m.group(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
