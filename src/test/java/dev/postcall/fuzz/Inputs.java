package dev.postcall.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Generators of hostile text and bytes shared by the fuzz targets. */
public final class Inputs {
  private Inputs() {}

  /** Characters that break parsers: separators, quotes, escapes, controls, non-BMP and odd unicode. */
  static final String[] NASTY = {
      "", " ", "\t", "\r", "\n", "\r\n", "\0", "\"", "\"\"", "'", ",", "|", "\\", "/", "..", "../", "%", "%2", "%zz",
      "%00", "%0A", "%7C", "(", ")", "${", "}", ":", ": ", "=", "\u00e9", "\u00df", "\u0130", "\u0131", "\u212a",
      "\ufeff", "\u202e", "\u2028", "\ufffd", "\ud83d\ude00", "\ud800", "\udc00", "\u0000", "\u007f", "\u0085",
      "\u00a0", "\u3000", "\uff0e", "\u2215", "\uff0f", "NULL", "null", "-1", "2147483648", "9999999999",
      "1e9", "0x10"};

  public static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  public static <T> T pick(Random r, List<T> options) {
    return options.get(r.nextInt(options.size()));
  }

  /** A random string of up to {@code max} chars mixing ASCII, nasty fragments and random code points. */
  public static String text(Random r, int max) {
    int len = r.nextInt(max + 1);
    StringBuilder b = new StringBuilder();
    while (b.length() < len) {
      switch (r.nextInt(6)) {
        case 0, 1 -> b.append((char) (0x20 + r.nextInt(0x5f)));
        case 2 -> b.append(pick(r, NASTY));
        case 3 -> b.append((char) r.nextInt(0x80));
        case 4 -> b.appendCodePoint(r.nextInt(Character.MAX_CODE_POINT + 1));
        default -> b.append((char) r.nextInt(0x10000)); // may be a lone surrogate
      }
    }
    return b.toString();
  }

  /** Occasionally a very long string: the same fragment repeated up to {@code max} chars. */
  public static String huge(Random r, int max) {
    String unit = r.nextBoolean() ? "a" : text(r, 8);
    if (unit.isEmpty()) unit = "x";
    return unit.repeat(Math.max(1, r.nextInt(max) / unit.length()));
  }

  /** Bytes that are not UTF-8: lone continuation bytes, truncated sequences, overlongs, 0xFF. */
  public static byte[] badUtf8(Random r) {
    byte[][] bad = {{(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, 0x41, 0x41},
        {(byte) 0xE9}};
    return bad[r.nextInt(bad.length)];
  }

  /** Rendered for a failure message: escaped, cut at 400 characters ({@code -Dfuzz.show=N} for more). */
  public static String show(Object input) {
    int max = Integer.getInteger("fuzz.show", 400);
    String s;
    if (input instanceof byte[] b) s = new String(b, StandardCharsets.ISO_8859_1);
    else s = String.valueOf(input);
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < s.length() && out.length() < max; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\\') out.append(c);
      else out.append(String.format("\\u%04x", (int) c));
    }
    if (out.length() >= max) out.append("…(").append(s.length()).append(" chars)");
    return out.append("'").toString();
  }
}
