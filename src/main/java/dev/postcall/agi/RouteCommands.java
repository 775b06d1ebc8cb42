package dev.postcall.agi;

import dev.postcall.route.RouteIndex;
import java.nio.charset.StandardCharsets;

/**
 * The route script's answer: one {@code EXEC MSet} that sets the three variables, so the call
 * waits for one round trip. Not three {@code SET VARIABLE} lines written together: Asterisk 22
 * answers the first and leaves the other two unread (it polls the socket, not its stdio buffer,
 * before reading the next command). The values cannot hold a comma or a quote (digits, and an
 * interface checked by {@link dev.postcall.route.AgentName}).
 */
final class RouteCommands {
  /** Replies the session waits for before it closes. */
  static final int COUNT = 1;

  private RouteCommands() {}

  static byte[] of(RouteIndex.Answer a) {
    String s = "EXEC MSet \"POSTCALL_LAST_AGENT=" + a.lastAgent() + ",POSTCALL_VIP=" + a.vip()
        + ",POSTCALL_PRIORITY=" + a.priority() + "\"\n";
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
