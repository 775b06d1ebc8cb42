package dev.postcall.route;

/**
 * The agent a call was answered by, as the dialplan can dial it again: the device or Local
 * interface of a CDR dstchannel without the channel's sequence number and Local half
 * ({@code PJSIP/201-0000002a} → {@code PJSIP/201}, {@code Local/3002@pc-qagents-00000001;1} →
 * {@code Local/3002@pc-qagents}).
 */
public final class AgentName {
  private AgentName() {}

  /** The interface, or null when there is none or it holds characters a dial string must not carry. */
  public static String of(String dstChannel) {
    if (dstChannel == null) return null;
    String s = dstChannel.strip();
    int semi = s.lastIndexOf(';');
    if (semi > 0 && s.startsWith("Local/")) s = s.substring(0, semi);
    int dash = s.lastIndexOf('-');
    if (dash > s.indexOf('/') && dash < s.length() - 1 && isHex(s, dash + 1)) s = s.substring(0, dash);
    if (s.indexOf('/') <= 0 || s.endsWith("/")) return null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "/@._:+-".indexOf(c) >= 0;
      if (!ok) return null; // never a quote, space or comma: the value goes into SET VARIABLE and Dial()
    }
    return s;
  }

  /**
   * A queue member's interface ({@code MEMBERINTERFACE}) as the agent: a Local member's dial
   * options go ({@code Local/3002@pc-qagents/n} → {@code Local/3002@pc-qagents}), so the agent
   * reads the same as from the member's channel in Master.csv.
   */
  public static String ofMember(String memberInterface) {
    if (memberInterface == null) return null;
    String s = memberInterface.strip();
    int at = s.indexOf('@');
    if (s.startsWith("Local/") && at > 0) {
      int options = s.indexOf('/', at);
      if (options > 0) s = s.substring(0, options);
    }
    return of(s);
  }

  private static boolean isHex(String s, int from) {
    for (int i = from; i < s.length(); i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
    return true;
  }
}
