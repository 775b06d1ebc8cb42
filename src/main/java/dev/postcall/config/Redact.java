package dev.postcall.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets that travel inside URLs and messages before they reach a log, stderr or a web
 * page: the password of {@code user:password@} and the value of {@code password=}, {@code pwd=},
 * {@code secret=}, {@code token=} parameters (JDBC URLs, Connector/J's {@code (password=…)} form).
 * The one place postcall does this; everything that prints a URL or an error goes through it.
 */
public final class Redact {
  public static final String MASK = "****";
  /** scheme://user:password@ — the password part, up to the last '@' before the host. */
  private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*:(?:[a-z][a-z0-9+.-]*:)?//[^/\\s:@'\"<>]*):[^/\\s'\"<>]*@");
  private static final Pattern SECRET_PARAM = Pattern.compile(
      "(?i)(\\b[a-z.]*(?:password|passwd|pwd|secret|token|credentials?)[a-z]*\\s*=\\s*)([^&;)\\s'\"<>,]*)");

  private Redact() {}

  /** The text with every embedded credential replaced by {@value #MASK}; null stays null. */
  public static String secrets(String text) {
    if (text == null || text.isEmpty()) return text;
    String out = USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    return SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + (m.group(2).isEmpty() ? "" : MASK)));
  }

  /** The URL without any host or credential: its scheme only ({@code https://…}), for anonymous readers. */
  public static String scheme(String url) {
    if (url == null) return null;
    int i = url.indexOf("://");
    return i < 0 ? "…" : url.substring(0, i) + "://…";
  }
}
