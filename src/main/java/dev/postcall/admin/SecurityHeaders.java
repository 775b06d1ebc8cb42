package dev.postcall.admin;

import org.eclipse.jetty.http.HttpFields;

/** The headers every admin web response carries, pages and Jetty's own error answers alike. */
final class SecurityHeaders {
  private SecurityHeaders() {}

  static void apply(HttpFields.Mutable h) {
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "same-origin");
    h.put("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  }
}
