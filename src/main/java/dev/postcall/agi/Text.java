package dev.postcall.agi;

/** Log-safe rendering of values that came from the PBX. */
final class Text {
  private Text() {}

  /** Control characters become '?', long values are cut: a hostile value cannot forge log lines. */
  static String printable(String s) {
    if (s == null) return "-";
    String t = s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + " chars)" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
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
