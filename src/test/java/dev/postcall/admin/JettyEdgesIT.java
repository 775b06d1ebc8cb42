package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests Jetty refuses before our routes, and pages of our own: no {@code Server} header, the
 * security headers everywhere, a clean 400/404 that names no exception, URI, message or version.
 * Raw sockets: an HTTP client would normalise the paths.
 */
class JettyEdgesIT {
  static WebFixture f;
  static String cookie;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    f.start();
    Object[] session = AdminWebITLogin.login(f);
    CookieManager cm = (CookieManager) ((HttpClient) session[0]).cookieHandler().orElseThrow();
    cookie = cm.getCookieStore().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
        .reduce((a, b) -> a + "; " + b).orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  static String raw(String requestLine, boolean loggedIn) throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.web.port())) {
      s.setSoTimeout(3000);
      OutputStream o = s.getOutputStream();
      o.write((requestLine + "\r\nHost: 127.0.0.1\r\n" + (loggedIn ? "Cookie: " + cookie + "\r\n" : "")
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void odd_paths_get_a_clean_400_or_404_with_the_security_headers() throws Exception {
    List<String> requests = List.of("/calls/%2F%2Fetc%2Fpasswd", "/calls/%2F%2F", "/calls/%2F%2F/recording", "/%2e%2e/x",
        "/calls/a%00b", "/calls/%ZZ", "/calls/a%5Cb", "/calls/%u002F", "/calls/..;/x", "/calls//x", "/calls/%252F",
        "/calls/%C0%AF", "/nope", "/failed?since=%ZZ", "/\u0001");
    for (boolean loggedIn : new boolean[] {false, true}) {
      for (String path : requests) {
        String r = raw("GET " + path + " HTTP/1.1", loggedIn);
        String status = r.substring(0, r.indexOf("\r\n"));
        String lower = r.toLowerCase(Locale.ROOT);
        String where = path + (loggedIn ? " (logged in)" : "") + ":\n" + r;
        assertTrue(status.matches("HTTP/1.1 (400|404|303|200) .*"), where);
        assertFalse(lower.contains("\r\nserver:"), where);
        assertTrue(lower.contains("\r\nx-content-type-options: nosniff") && lower.contains("\r\ncontent-security-policy:")
            && lower.contains("\r\nx-frame-options: deny"), where);
        String body = r.substring(r.indexOf("\r\n\r\n") + 4);
        for (String leak : List.of("exception", "jetty", "ambiguous", "etc/passwd", "/badmessage", "cntl", "suspicious"))
          assertFalse(body.toLowerCase(Locale.ROOT).contains(leak), leak + " in " + where);
      }
    }
  }

  @Test
  void ordinary_pages_say_no_server_either() throws Exception {
    for (String p : List.of("/health", "/login", "/metrics")) {
      String r = raw("GET " + p + " HTTP/1.1", false);
      assertTrue(r.startsWith("HTTP/1.1 200 "), r);
      assertFalse(r.toLowerCase(Locale.ROOT).contains("\r\nserver:"), r);
    }
  }
}
