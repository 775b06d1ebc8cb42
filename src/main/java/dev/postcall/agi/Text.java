package dev.postcall.agi;

/** Log-safe rendering of values that came from the PBX. */
final class Text {
  private Text() {}

  /**
   * Control characters (C0, DEL and C1) become '?', long values are cut: a hostile value cannot
   * forge log lines. No regex: this runs several times per AGI session, and String.replaceAll
   * compiled its pattern on every call.
   */
  static String printable(String s) {
    if (s == null) return "-";
    String t = s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + " chars)" : s;
    if (!hasControl(t)) return t;
    char[] c = t.toCharArray();
    for (int i = 0; i < c.length; i++) if (Character.isISOControl(c[i])) c[i] = '?';
    return new String(c);
  }

  static boolean hasControl(String s) {
    if (s == null) return false;
    for (int i = 0; i < s.length(); i++) if (Character.isISOControl(s.charAt(i))) return true;
    return false;
  }

  /** The first line of an exception's message (JDBC drivers write paragraphs). */
  static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null) return e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return printable(nl < 0 ? m : m.substring(0, nl).trim());
  }
}
