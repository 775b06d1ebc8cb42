package dev.postcall.pbx;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.TestDb;
import dev.postcall.agi.TcpProxy;
import dev.postcall.call.CallRecord;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.service.PostcallService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A call whose Master.csv rows reach the database before its FastAGI hangup does, on a real
 * Asterisk: the PBX node (role agi) reaches the database through a link that hangs for a second
 * (a slow network, a stalled commit) while another node tails Master.csv and delivers. The
 * hangup alone knows the number dialled first — a redirect rewrites dst in every Master.csv row
 * (810: B redirects the caller to C, every row reads {@code xfer}) — and the agent who answered
 * last (C). The call must go out with them, not with what Master.csv says.
 */
class HangupAfterCsvPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/flows-test.conf").deferPbx()
      .setting("roles", "worker,tailer,web");

  /** How long the PBX node's database link hangs once the calls' rows are stored: well inside csv.agi-hold's default. */
  static final Duration STALL = Duration.ofSeconds(1);

  static TcpProxy link;
  static Path agiDir;
  static PostcallService agiNode;

  @BeforeAll
  static void pbxNodeThroughItsOwnLink() throws Exception {
    URI server = URI.create(TestDb.SERVER.substring("jdbc:".length()));
    link = new TcpProxy(server.getHost(), server.getPort());
    agiDir = Files.createTempDirectory("pbx-agi-node-");
    PostcallConfig cfg = pbx.db().serviceConfig(agiDir, pbx.incidents().url(), Map.of("roles", "agi",
        "db.url", TestDb.urlFor("jdbc:mysql://127.0.0.1:" + link.port() + "/", pbx.db().name)));
    agiNode = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    agiNode.start();
    await().atMost(Duration.ofSeconds(60)).until(agiNode::ready);
    pbx.agiPort(agiNode.agiPort()).startPbx();
  }

  @AfterAll
  static void stopPbxNode() throws Exception {
    if (agiNode != null) agiNode.close();
    if (link != null) link.close();
    if (agiDir != null) try (var s = Files.walk(agiDir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  @Test
  void a_hangup_that_arrives_after_the_rows_still_gives_the_number_dialled_first_and_the_agent() throws Exception {
    link.stall();
    try {
      for (String form : FlowsPbxIT.FORMS)
        pbx.pbx().rx("channel originate Local/810@" + form + " extension talk@pc-flows-phone");
      pbx.pbx().idle(Duration.ofSeconds(60));
      pbx.awaitMasterCsvRead(Duration.ofSeconds(20));
      Set<String> callers = pbx.masterCsvCalls().keySet();
      assertEquals(2, callers.size(), "Master.csv's callers: " + callers);
      String in = String.join(",", callers.stream().map(u -> "'" + u.replaceAll("[^0-9.]", "") + "'").toList());
      assertEquals(2, pbx.db().count("SELECT COUNT(*) FROM calls WHERE source = 'CSV' AND uniqueid IN (" + in + ")"),
          "both callers stored from Master.csv while their hangups wait on the PBX node's link");
      // time enough for a delivery that does not wait: an 8 s call converts in a few hundred ms
      Thread.sleep(STALL.toMillis());
    } finally {
      link.restore();
    }
    Set<String> callers = pbx.masterCsvCalls().keySet();
    pbx.awaitSettled(callers, Duration.ofSeconds(60));
    List<String> wrong = new ArrayList<>();
    for (String uid : callers) {
      CallRecord c = pbx.storedCall(uid).orElseThrow();
      String called = pbx.object(uid).orElseThrow().first("called_number");
      if (!"810".equals(called)) wrong.add(uid + ": delivered called " + called + " (" + c.source() + ")");
      if (!"810".equals(c.extension())) wrong.add(uid + ": stored called " + c.extension());
      if (c.source() != CallRecord.Source.AGI) wrong.add(uid + ": source " + c.source());
      if (!"Local/answer@pc-callee".equals(c.agent())) wrong.add(uid + ": agent " + c.agent());
    }
    assertEquals(List.of(), wrong);
    // the stored call is still Master.csv's whole call (B's and C's parts)
    ScenarioCalls.assertWholeCallTiming(pbx);
  }
}
