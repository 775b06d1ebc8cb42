package dev.postcall.agi;

import dev.postcall.SafeText;

/** Log-safe rendering of values that came from the PBX. */
final class Text {
  private Text() {}

  /**
   * Control characters (C0, DEL and C1) become '?', long values are cut: a hostile value cannot
   * forge log lines. No regex: this runs several times per AGI session, and String.replaceAll
   * compiled its pattern on every call.
   */
  static String printable(String s) {
    return SafeText.printable(s);
  }

  static boolean hasControl(String s) {
    return SafeText.hasControl(s);
  }

  /** The first line of an exception's message (JDBC drivers write paragraphs). */
  static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null) return e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return printable(nl < 0 ? m : m.substring(0, nl).trim());
  }
}
