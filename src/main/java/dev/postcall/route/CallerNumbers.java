package dev.postcall.route;

import java.util.List;

/**
 * Writes a caller's number the way the PBX's numbers are written, so {@code +33 6 12 34 56 78},
 * {@code 0033612345678} and {@code 0612345678} meet in the routing index and the VIP list: keeps
 * the digits, strips the first matching prefix ({@code route.strip-prefixes}, tried in order),
 * then keeps the last {@code route.keep-digits} digits (0: all).
 */
public record CallerNumbers(List<String> stripPrefixes, int keepDigits) {
  public static final CallerNumbers AS_IS = new CallerNumbers(List.of(), 0);

  public CallerNumbers {
    stripPrefixes = List.copyOf(stripPrefixes);
  }

  /** The normalised number, or "" when it has no digits (anonymous, "unknown"). */
  public String normalise(String raw) {
    if (raw == null) return "";
    StringBuilder d = new StringBuilder(raw.length());
    boolean plus = false;
    for (int i = 0; i < raw.length(); i++) {
      char ch = raw.charAt(i);
      if (ch >= '0' && ch <= '9') d.append(ch);
      else if (ch == '+' && d.length() == 0) plus = true;
    }
    String n = d.toString();
    for (String p : stripPrefixes) {
      if (p.equals("+") ? plus : n.startsWith(p) && n.length() > p.length()) {
        if (!p.equals("+")) n = n.substring(p.length());
        break;
      }
    }
    if (keepDigits > 0 && n.length() > keepDigits) n = n.substring(n.length() - keepDigits);
    return n;
  }
}
