package dev.postcall.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One request and its response, with the few helpers the admin pages need (Jetty 12 core API). */
final class Exchange {
  final Request req;
  final Response res;
  final Callback cb;
  private Map<String, List<String>> query;
  private Fields form;

  Exchange(Request req, Response res, Callback cb) {
    this.req = req;
    this.res = res;
    this.cb = cb;
  }

  String method() {
    return req.getMethod();
  }

  String path() {
    return Request.getPathInContext(req);
  }

  String rawQuery() {
    return req.getHttpURI().getQuery();
  }

  String header(HttpHeader h) {
    return req.getHeaders().get(h);
  }

  String header(String name) {
    return req.getHeaders().get(name);
  }

  String query(String name) {
    List<String> v = queryAll(name);
    return v.isEmpty() ? null : v.get(0);
  }

  List<String> queryAll(String name) {
    if (query == null) query = parseQuery(rawQuery());
    return query.getOrDefault(name, List.of());
  }

  /** The url-encoded form of a POST (read blocking; the admin pages are few and small). */
  String form(String name) {
    List<String> v = formAll(name);
    return v.isEmpty() ? null : v.get(0);
  }

  List<String> formAll(String name) {
    if (form == null) form = FormFields.getFields(req);
    Fields.Field f = form.get(name);
    return f == null ? List.of() : f.getValues();
  }

  String cookie(String name) {
    String all = header(HttpHeader.COOKIE);
    if (all == null) return null;
    // ',' too: RFC 2965 clients (the JDK's CookieManager) send "$Version=1, name=\"value\""
    for (String part : all.split("[;,]")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
        String v = part.substring(eq + 1).trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
      }
    }
    return null;
  }

  void setCookie(String name, String value, long maxAgeSeconds) {
    // SameSite=Strict: a form on another site cannot post with the admin's session at all;
    // the CSRF token is the second lock.
    res.getHeaders().add(HttpHeader.SET_COOKIE, name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
        + (maxAgeSeconds >= 0 ? "; Max-Age=" + maxAgeSeconds : ""));
  }

  void send(int status, String contentType, String body) {
    res.setStatus(status);
    res.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    res.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(res, true, body, cb);
  }

  void html(int status, String body) {
    send(status, "text/html; charset=utf-8", body);
  }

  void json(int status, String body) {
    send(status, "application/json", body);
  }

  void text(int status, String body) {
    send(status, "text/plain; charset=utf-8", body);
  }

  /** 303 See Other: after a POST the browser GETs the page (no re-post on reload). */
  void redirect(String location) {
    Response.sendRedirect(req, res, cb, 303, location, true);
  }

  static Map<String, List<String>> parseQuery(String q) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (q == null || q.isEmpty()) return out;
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.computeIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), x -> new ArrayList<>())
            .add(URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        // a broken %-escape: ignore that parameter, as if it were not sent
      }
    }
    return out;
  }
}
