package dev.postcall.pbx;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.JobState;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * cdr.conf without its [csv] section — what the old cdr_postcall.conf had admins do (they put it
 * into a cdr_csv.conf Asterisk 22 never reads): cdr_csv unregisters and Master.csv never grows.
 * Calls still arrive over AGI; postcall says once that Master.csv is not written, on /ready too.
 */
class MasterCsvStoppedPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf").withoutCsvSection()
      .setting("csv.hold", "0s");

  @Test
  void a_master_csv_that_does_not_grow_while_agi_calls_arrive_is_reported() throws Exception {
    for (String s : new String[] {"101", "200", "400"}) pbx.pbx().call(s, "pc-h");
    pbx.pbx().idle(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(30)).until(() -> pbx.db().count("SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.DONE) == 3);
    assertFalse(Files.exists(pbx.masterCsvPath()), "cdr_csv wrote nothing");
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> !pbx.service().cdrNotices().all().isEmpty());
    assertEquals(1, pbx.service().cdrNotices().all().size(), pbx.service().cdrNotices().all().toString());
    String notice = pbx.service().cdrNotices().all().get(0);
    assertTrue(notice.contains("has not grown") && notice.contains("[csv] from cdr.conf"), notice);
    assertTrue(pbx.service().cdrNotices().detail().startsWith("WARNING: "));
    // and on /ready, without taking the service out of rotation (the detail itself is shown to a
    // logged-in admin only; /ready answers from its background checks, hence the wait)
    var http = java.net.http.HttpClient.newHttpClient();
    var ready = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + pbx.service().webPort() + "/ready")).build();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> http.send(ready, java.net.http.HttpResponse.BodyHandlers.ofString()).body().contains("\"cdr\":{\"status\":\"UP\"}"));
    var res = http.send(ready, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertFalse(res.body().contains("Master.csv"), "no detail for an anonymous caller: " + res.body());
  }
}
