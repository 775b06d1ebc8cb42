package dev.postcall.agi;

import dev.postcall.route.RouteIndex;
import java.nio.charset.StandardCharsets;

/**
 * The route script's answer: three {@code SET VARIABLE} commands written together in one write —
 * Asterisk runs them one after the other and answers each, so the call waits for one round trip.
 */
final class RouteCommands {
  static final int COUNT = 3;

  private RouteCommands() {}

  static byte[] of(RouteIndex.Answer a) {
    String s = "SET VARIABLE POSTCALL_LAST_AGENT \"" + a.lastAgent() + "\"\n"
        + "SET VARIABLE POSTCALL_VIP \"" + a.vip() + "\"\n"
        + "SET VARIABLE POSTCALL_PRIORITY \"" + a.priority() + "\"\n";
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
