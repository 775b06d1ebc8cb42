package dev.postcall;

/**
 * Text from outside (FastAGI values, Master.csv fields, SOAP faults) made safe: for storing, for
 * a log line, for a terminal. The one place for it; the stages call these rather than their own copies.
 */
public final class SafeText {
  public static final char REPLACEMENT = '\uFFFD';
  private static final int LOG_MAX = 120;

  private SafeText() {}

  /** C0 controls (tab and ESC included), DEL and C1 controls (0x9B is a one-byte CSI on some terminals). */
  public static boolean isControl(char c) {
    return Character.isISOControl(c);
  }

  /** Unicode's direction overrides: they make a terminal show text in an order other than stored. */
  public static boolean isBidiControl(char c) {
    return c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
  }

  public static boolean hasControl(String s) {
    if (s == null) return false;
    for (int i = 0; i < s.length(); i++) if (isControl(s.charAt(i))) return true;
    return false;
  }

  /**
   * For values that are stored: every control character becomes U+FFFD (the value stays
   * recognisably altered, and its length is kept). The same instance when there is none — the
   * Master.csv parser calls this for every field.
   */
  public static String clean(String s) {
    if (s == null || !hasControl(s)) return s;
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) if (isControl(c[i])) c[i] = REPLACEMENT;
    return new String(c);
  }

  /** For a log line or an error message: controls and direction overrides become '?', cut at 120 characters; null is "-". */
  public static String printable(String s) {
    if (s == null) return "-";
    String t = s.length() > LOG_MAX ? s.substring(0, LOG_MAX) + "…(" + s.length() + " chars)" : s;
    char[] c = null;
    for (int i = 0; i < t.length(); i++) {
      char ch = t.charAt(i);
      if (isControl(ch) || isBidiControl(ch)) {
        if (c == null) c = t.toCharArray();
        c[i] = '?';
      }
    }
    return c == null ? t : new String(c);
  }

  /** For a terminal: like {@link #printable} but whole, and line breaks and tabs kept. */
  public static char forTerminal(char c) {
    return c == '\n' || c == '\t' || !(isControl(c) || isBidiControl(c)) ? c : '?';
  }
}
