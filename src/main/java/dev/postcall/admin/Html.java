package dev.postcall.admin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** HTML helpers: every value from the database or a request goes through {@link #esc}. */
final class Html {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private Html() {}

  static String esc(Object o) {
    if (o == null) return "";
    String s = o.toString();
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String url(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String time(Instant t) {
    return t == null ? "" : TIME.format(t);
  }

  /** The page frame; {@code body} is already escaped HTML. */
  static String page(String title, AdminAuth.Session session, String body) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append(" · postcall</title><link rel=\"stylesheet\" href=\"/app.css\"><script src=\"/app.js\" defer></script>")
        .append("</head><body><header><b>postcall</b>");
    if (session != null) {
      b.append(" <a href=\"/\">Dashboard</a> <a href=\"/failed\">Failed uploads</a>")
          .append("<form class=\"inline\" method=\"post\" action=\"/logout\">").append(csrf(session))
          .append("<button id=\"logout\">Log out</button></form>");
    }
    b.append("</header><main><h1>").append(esc(title)).append("</h1>").append(body).append("</main></body></html>");
    return b.toString();
  }

  static String csrf(AdminAuth.Session s) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(s.csrf()) + "\">";
  }

  static final String CSS = """
      body{font:14px/1.4 system-ui,sans-serif;margin:0}header{background:#234;color:#fff;padding:8px 16px}
      header a{color:#cde;margin-left:12px}main{padding:8px 16px}table{border-collapse:collapse}
      td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
      .err{color:#a00}.msg{background:#efe;padding:4px 8px}.bad{background:#fee;padding:4px 8px}
      form.inline{display:inline;margin-left:12px}.filters input,.filters select{margin-right:8px}
      td.error{max-width:40em;overflow-wrap:anywhere}dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}
      dt{font-weight:bold}dd{margin:0}""";

  /** Select-all and "discard needs a reason": the only script, no build step. */
  static final String JS = """
      document.addEventListener('DOMContentLoaded', function () {
        var all = document.getElementById('select-all');
        if (all) all.addEventListener('change', function () {
          document.querySelectorAll('input[name=id]').forEach(function (c) { c.checked = all.checked; });
        });
        // Enter in the reason field would press the form's first button (retry): not what was meant
        document.querySelectorAll('input[name=reason]').forEach(function (r) {
          if (r.form && r.form.method === 'post') r.addEventListener('keydown', function (e) {
            if (e.key === 'Enter') e.preventDefault();
          });
        });
        document.querySelectorAll('button.discard').forEach(function (b) {
          b.addEventListener('click', function (e) {
            var r = b.form.querySelector('input[name=reason]');
            if (r && !r.value.trim()) {
              var given = window.prompt('Why discard? (kept for the audit)');
              if (!given || !given.trim()) { e.preventDefault(); return; }
              r.value = given;
            }
          });
        });
      });""";
}
