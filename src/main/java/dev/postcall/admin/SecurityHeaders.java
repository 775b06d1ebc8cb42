package dev.postcall.admin;

import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpFields;

/** The headers every admin web response carries, pages and Jetty's own error answers alike. */
final class SecurityHeaders {
  static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

  private SecurityHeaders() {}

  static void apply(HttpFields.Mutable h) {
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "same-origin");
    h.put("Content-Security-Policy", CSP);
  }

  static void apply(HttpServletResponse res) {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Content-Security-Policy", CSP);
  }
}
