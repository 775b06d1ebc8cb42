package dev.postcall.pbx;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.route.CallerNumbers;
import dev.postcall.route.VipNumbers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The route script on a real Asterisk 22: the three variables are set in the channel, and the
 * second call from a number is told the agent who answered its first.
 */
class RoutePbxIT {
  @RegisterExtension
  static final RealPbx pbx = RealPbx.with("pbx/route-test.conf")
      .setting("route.keep-digits", "9").setting("route.refresh", "1s");

  static final Pattern ROUTE = Pattern.compile("POSTCALL-ROUTE uid=(\\S+) agent=\\[([^]]*)] vip=\\[([^]]*)] prio=\\[([^]]*)]");

  @Test
  void route_sets_the_three_variables_and_returns_the_last_agent_on_the_second_call() throws Exception {
    // stored normalised as the caller's +33 6 12 34 56 78 will be: its last 9 digits
    new VipNumbers(pbx.db().ds(), new CallerNumbers(List.of(), 9), Clock.systemUTC()).add("0612345678", "test");
    Thread.sleep(2_500); // route.refresh: the service re-reads the VIP list every second

    pbx.pbx().originate("800", "pc-route", 10);
    List<String[]> first = await().atMost(Duration.ofSeconds(20)).until(RoutePbxIT::routed, r -> r.size() == 1);
    assertEquals(List.of("", "1", "10"), List.of(first.get(0)).subList(1, 4), pbx.pbx().logTail(80));
    pbx.pbx().idle(Duration.ofSeconds(20));
    String uid = first.get(0)[0];
    // the first call is captured through hangup: answered by the Local interface Dial reached
    await().atMost(Duration.ofSeconds(20)).until(() -> pbx.storedCall(uid).isPresent());

    pbx.pbx().originate("800", "pc-route", 10);
    List<String[]> both = await().atMost(Duration.ofSeconds(20)).until(RoutePbxIT::routed, r -> r.size() == 2);
    assertEquals(List.of("Local/answer@pc-callee", "1", "10"), List.of(both.get(1)).subList(1, 4), pbx.pbx().logTail(80));
    pbx.pbx().idle(Duration.ofSeconds(20));
  }

  /** The route lines of Asterisk's log so far: uniqueid, agent, vip, priority. */
  static List<String[]> routed() {
    String log = pbx.pbx().logTail(100_000);
    Matcher m = ROUTE.matcher(log);
    List<String[]> out = new java.util.ArrayList<>();
    while (m.find()) {
      int lineStart = log.lastIndexOf('\n', m.start()) + 1;
      if (log.substring(lineStart, m.start()).contains("Executing")) continue; // the dialplan trace of the Verbose itself
      out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
    }
    return out;
  }
}
