package dev.postcall.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.CallBuilder;
import dev.postcall.TestDb;
import dev.postcall.queue.CallStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two PBXs on one database: whose answers make a caller's last agent. */
class RouteLoaderIT {
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  TestDb db;
  CallStore calls;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDb.create();
    calls = new CallStore(db.ds());
    // the same caller answered on both PBXs, pbx-b's answer the later one; another caller only on pbx-b
    answered("pbx-a", "a.1", "0612345678", "PJSIP/201", NOW.minus(Duration.ofHours(2)));
    answered("pbx-b", "a.1", "0612345678", "PJSIP/301", NOW.minus(Duration.ofMinutes(10)));
    answered("pbx-b", "b.2", "0699999999", "PJSIP/302", NOW.minus(Duration.ofMinutes(20)));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  void answered(String pbx, String uniqueid, String caller, String agent, Instant at) throws Exception {
    calls.insert(CallBuilder.agi(uniqueid).pbx(pbx).caller(caller).agent(agent).dstChannel(agent + "-0000002a")
        .start(at.minusSeconds(5)).answer(at).end(at.plusSeconds(60)).dialStatus("ANSWER").build());
  }

  RouteIndex loaded(String pbx, boolean acrossPbxs) throws Exception {
    RouteIndex index = new RouteIndex(CallerNumbers.AS_IS, Duration.ofHours(24), 10, 0, Clock.systemUTC());
    try (RouteLoader loader = new RouteLoader(db.ds(), index, Clock.systemUTC(), Duration.ofSeconds(30), pbx, acrossPbxs)) {
      loader.refreshOnce();
    }
    return index;
  }

  @Test
  void only_the_nodes_own_pbx_names_the_last_agent_by_default() throws Exception {
    RouteIndex a = loaded("pbx-a", false);
    assertEquals("PJSIP/201", a.answer("0612345678").lastAgent(), "pbx-b's later answer is an agent pbx-a cannot dial");
    assertEquals("", a.answer("0699999999").lastAgent(), "answered on pbx-b only");
    RouteIndex b = loaded("pbx-b", false);
    assertEquals("PJSIP/301", b.answer("0612345678").lastAgent());
    assertEquals("PJSIP/302", b.answer("0699999999").lastAgent());
    assertEquals("", loaded("pbx-c", false).answer("0612345678").lastAgent(), "a PBX with no calls yet knows no one");
  }

  @Test
  void across_pbxs_the_latest_answer_of_any_pbx_counts_and_refreshes_bring_the_others_new_ones() throws Exception {
    RouteIndex index = new RouteIndex(CallerNumbers.AS_IS, Duration.ofHours(24), 10, 0, Clock.systemUTC());
    try (RouteLoader loader = new RouteLoader(db.ds(), index, Clock.systemUTC(), Duration.ofSeconds(30), "pbx-a", true)) {
      loader.refreshOnce();
      assertEquals("PJSIP/301", index.answer("0612345678").lastAgent());
      assertEquals("PJSIP/302", index.answer("0699999999").lastAgent());
      answered("pbx-b", "b.3", "0677777777", "PJSIP/303", NOW.minusSeconds(30));
      loader.refreshOnce();
      assertEquals("PJSIP/303", index.answer("0677777777").lastAgent(), "another PBX's answer stored after the first load");
      answered("pbx-b", "b.4", "0666666666", "PJSIP/304", NOW.minusSeconds(20));
      loader.refreshOnce();
      loader.refreshOnce();
      assertEquals("PJSIP/304", index.answer("0666666666").lastAgent());
    }
  }

  @Test
  void across_pbxs_a_call_still_uncommitted_below_the_first_loads_highest_id_is_read_by_the_next_refresh() throws Exception {
    RouteIndex index = new RouteIndex(CallerNumbers.AS_IS, Duration.ofHours(24), 10, 0, Clock.systemUTC());
    try (RouteLoader loader = new RouteLoader(db.ds(), index, Clock.systemUTC(), Duration.ofSeconds(30), "pbx-a", true);
        java.sql.Connection slow = db.ds().getConnection()) {
      slow.setAutoCommit(false);
      Instant at = NOW.minusSeconds(40);
      calls.insertAll(slow, java.util.List.of(CallBuilder.agi("b.5").pbx("pbx-b").caller("0655555555").agent("PJSIP/305")
          .dstChannel("PJSIP/305-0000002b").start(at.minusSeconds(5)).answer(at).end(at.plusSeconds(60))
          .dialStatus("ANSWER").build()));
      answered("pbx-b", "b.6", "0644444444", "PJSIP/306", NOW.minusSeconds(30)); // a higher id, committed
      loader.refreshOnce();
      assertEquals("", index.answer("0655555555").lastAgent(), "not committed during the load");
      slow.commit();
      loader.refreshOnce();
      assertEquals("PJSIP/305", index.answer("0655555555").lastAgent(), "committed after the load, id below its highest");
    }
  }

  @Test
  void per_pbx_refreshes_do_not_bring_other_pbxs_answers() throws Exception {
    RouteIndex index = new RouteIndex(CallerNumbers.AS_IS, Duration.ofHours(24), 10, 0, Clock.systemUTC());
    try (RouteLoader loader = new RouteLoader(db.ds(), index, Clock.systemUTC(), Duration.ofSeconds(30), "pbx-a", false)) {
      loader.refreshOnce();
      answered("pbx-b", "b.3", "0677777777", "PJSIP/303", NOW.minusSeconds(30));
      for (int i = 0; i < 2; i++) loader.refreshOnce();
      assertEquals("", index.answer("0677777777").lastAgent());
    }
  }
}
