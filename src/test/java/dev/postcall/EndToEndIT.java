package dev.postcall;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.JobState;
import dev.postcall.service.PostcallService;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.sim.CallSimulator;
import dev.postcall.sim.CallSimulator.Outcome;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import dev.postcall.sim.IncidentServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole flow with every part real: simulated Asterisk hangups over FastAGI (growing WAVs held
 * open during the session, as MixMonitor does) → MariaDB queue → workers → ffmpeg → the CXF
 * incident simulator. Each call must arrive exactly once with the mapped status, and each
 * answered call with an MP3 as long as its recording.
 */
class EndToEndIT {
  @TempDir Path tmp;

  @Test
  void simulated_hangups_arrive_once_each_with_status_and_recording() throws Exception {
    Map<String, String> statusOf = Map.of("ANSWERED", "answered", "BUSY", "busy", "NOANSWER", "unanswered",
        "CONGESTION", "congestion", "CHANUNAVAIL", "impossible", "CANCEL", "unanswered");
    try (TestDb db = TestDb.create();
        IncidentServer server = IncidentServer.onLoopback(tmp.resolve("incidents"), "postcall", "pw")) {
      PostcallConfig cfg = db.serviceConfig(tmp, server.url(), Map.of());
      try (PostcallService service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new)) {
        service.start();
        Map<Outcome, Integer> mix = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) mix.put(o, o == Outcome.ANSWERED ? 50 : 10);
        List<SimulatedCall> calls = new CallSimulator(new CallSimulator.Options(24, 30, 24, mix, 0, 0, 0.01,
            Duration.ofSeconds(180), tmp.resolve("monitor"), tmp.resolve("cdr-csv/Master.csv"),
            new InetSocketAddress("127.0.0.1", service.agiPort()), ZoneId.systemDefault(), 7, false)).run();
        assertEquals(24, calls.size());
        assertTrue(calls.stream().allMatch(SimulatedCall::agiCompleted), "every AGI session ended cleanly");

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> db.count("SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.DONE) == 24);
        assertEquals(24, server.objects().size());
        for (SimulatedCall c : calls) {
          assertEquals(1, server.creates(c.uniqueid()), c.uniqueid());
          IncidentServer.StoredObject o = server.objects().stream()
              .filter(x -> c.uniqueid().equals(x.first("uniqueid"))).findFirst().orElseThrow();
          assertEquals(statusOf.get(c.outcome().name()), o.first("status"), c.uniqueid());
          assertEquals(c.callerNumber(), o.first("caller_number"));
          List<IncidentServer.StoredFile> files = server.files(o.objectref());
          if (c.outcome() == Outcome.ANSWERED) {
            assertEquals(1, files.size(), c.uniqueid());
            long ms = new ws.schild.jave.MultimediaObject(files.get(0).path().toFile()).getInfo().getDuration();
            assertTrue(Math.abs(ms - c.audioSeconds() * 1000) < 1000, c.uniqueid() + ": mp3 " + ms + " ms vs wav " + c.audioSeconds() + " s");
          } else {
            assertEquals(0, files.size(), c.uniqueid() + " has no audio to attach");
          }
        }
      }
    }
  }
}
