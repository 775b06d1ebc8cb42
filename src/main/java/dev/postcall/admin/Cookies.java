package dev.postcall.admin;

import io.javalin.http.Context;

/**
 * The admin web's two cookies. Read from the raw header rather than the servlet's parser: the JDK's
 * CookieManager (scripts, the tests) sends RFC 2965 style {@code $Version=1, name="value"}, which
 * Jetty's RFC 6265 parser does not return the same way; written with SameSite, which the servlet
 * cookie API only carries as an attribute.
 */
final class Cookies {
  private Cookies() {}

  static String get(Context ctx, String name) {
    String all = ctx.header("Cookie");
    if (all == null) return null;
    for (String part : all.split("[;,]")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
        String v = part.substring(eq + 1).trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
      }
    }
    return null;
  }

  /** {@code maxAgeSeconds} −1: until the browser closes; 0: delete. */
  static void set(Context ctx, String name, String value, long maxAgeSeconds) {
    // SameSite=Strict: a form on another site cannot post with the admin's session at all;
    // the CSRF token is the second lock.
    ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
        + (maxAgeSeconds >= 0 ? "; Max-Age=" + maxAgeSeconds : ""));
  }
}
