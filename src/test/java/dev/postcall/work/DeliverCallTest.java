package dev.postcall.work;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.postcall.MutableClock;
import dev.postcall.audio.ConvertRecording;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.DialStatusMapping;
import dev.postcall.incident.IncidentException;
import dev.postcall.incident.IncidentSystem;
import dev.postcall.queue.CallRecord;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.Stage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage logic of a delivery, with the queue and the incident system as mocks (pure logic). */
class DeliverCallTest {
  @TempDir Path tmp;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  JobQueue queue = mock(JobQueue.class);
  IncidentSystem incident = mock(IncidentSystem.class);
  ConvertRecording converter = mock(ConvertRecording.class);
  DialStatusMapping statuses = mock(DialStatusMapping.class);
  DeliverCall deliver;
  Path mp3;

  @BeforeEach
  void setUp() throws Exception {
    PostcallConfig cfg = PostcallConfig.from(Settings.of(Map.of("recordings.dir", tmp.toString(),
        "archive.dir", tmp.resolve("archive").toString(), "worker.max-attempts", "3")));
    deliver = new DeliverCall(new DeliverCall.Parts(queue, new RecordingPath(tmp, "${uniqueid}.wav"),
        new WaitForRecording(OpenFileProbe.NONE, Duration.ZERO, clock, d -> clock.advance(d)), converter, statuses,
        incident, new ArchiveRecording(cfg.archive()), cfg.recordings(), cfg.worker(),
        new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5), new Random(1)), clock, new SimpleMeterRegistry()));
    mp3 = Files.write(tmp.resolve("1.1.mp3"), new byte[] {1, 2, 3});
    when(statuses.statusFor(any())).thenReturn("answered");
    when(queue.withCurrentCall(any())).thenAnswer(i -> i.getArgument(0));
  }

  static CallRecord call() {
    return new CallRecord("1.1", null, "SIP/a-1", null, "100", null, "101", "rig", null, Instant.parse("2026-11-23T09:59:00Z"),
        null, 10, 9, "ANSWERED", "ANSWER", null, null, null, CallRecord.Source.AGI);
  }

  Job job(Stage stage, String mp3Path, String ref, int attempts) {
    return new Job(7, 3, stage, attempts, 1, mp3Path, ref, null, clock.instant(), call());
  }

  @Test
  void create_after_a_lost_response_reuses_the_object_found_by_uniqueid() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 2);
    when(incident.findByUniqueid("1.1")).thenReturn(Optional.of("OBJ-1"));
    when(queue.progress(any(), eq(Stage.ATTACH), any(), eq("OBJ-1"), any(), any())).thenReturn(null);
    deliver.run(j);
    verify(incident, never()).create(any(), anyString());
  }

  @Test
  void create_uploads_the_call_as_stored_now_with_timing_the_tailer_filled_in() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    CallRecord c = j.call();
    CallRecord filled = new CallRecord(c.uniqueid(), c.linkedid(), c.channel(), c.dstChannel(), c.callerNumber(),
        c.callerName(), c.extension(), c.context(), c.start(), c.answer(), Instant.parse("2026-11-23T09:59:40Z"), 40, 38,
        c.disposition(), c.dialStatus(), c.recording(), c.accountcode(), c.userfield(), c.source());
    when(queue.withCurrentCall(j)).thenReturn(new Job(j.id(), j.callId(), j.stage(), j.attempts(), j.version(),
        j.mp3Path(), null, null, j.createdAt(), filled));
    when(incident.findByUniqueid("1.1")).thenReturn(Optional.empty());
    when(incident.create(any(), anyString())).thenReturn("OBJ-2");
    deliver.run(j);
    verify(incident).create(eq(filled), eq("answered"));
  }

  @Test
  void a_job_that_never_reached_create_creates_without_looking_and_attaches_without_asking() throws Exception {
    Job j = job(Stage.CONVERT, null, null, 1);
    java.nio.file.Files.write(tmp.resolve("1.1.wav"), new byte[2000]);
    when(converter.convert(any(), any())).thenReturn(new ConvertRecording.Mp3(mp3, Duration.ofSeconds(1), 3));
    when(queue.progress(any(), any(), any(), any(), any(), any())).thenAnswer(i -> {
      Job in = i.getArgument(0);
      return new Job(in.id(), in.callId(), i.getArgument(1), in.attempts(), in.version() + 1, i.getArgument(2),
          i.getArgument(3), i.getArgument(4), in.createdAt(), in.call());
    });
    when(incident.create(any(), anyString())).thenReturn("OBJ-9");
    deliver.run(j);
    verify(incident, never()).findByUniqueid(anyString());
    verify(incident, never()).hasRecording(anyString());
    verify(incident).attachRecording(eq("OBJ-9"), eq(mp3), anyString());
    verify(queue).done(any());
  }

  @Test
  void attach_is_skipped_when_the_object_already_has_its_file() throws Exception {
    Job j = job(Stage.ATTACH, mp3.toString(), "OBJ-1", 2);
    when(incident.hasRecording("OBJ-1")).thenReturn(true);
    when(queue.progress(any(), eq(Stage.CLEANUP), any(), eq("OBJ-1"), any(), any())).thenReturn(null);
    deliver.run(j);
    verify(incident, never()).attachRecording(any(), any(), any());
  }

  @Test
  void transient_error_schedules_a_retry_with_backoff() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.findByUniqueid("1.1")).thenThrow(new IncidentException("connection refused", true, null, null));
    deliver.run(j);
    verify(queue).retryLater(eq(j), any(Instant.class), contains("connection refused"));
    verify(queue, never()).fail(any(), anyString());
  }

  @Test
  void permanent_fault_fails_at_once_with_the_fault_text() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.findByUniqueid("1.1")).thenReturn(Optional.empty());
    when(incident.create(any(), eq("answered"))).thenThrow(new IncidentException("VALIDATION: bad status", false, "VALIDATION", null));
    deliver.run(j);
    verify(queue).fail(eq(j), contains("VALIDATION: bad status"));
  }

  @Test
  void transient_error_on_the_last_attempt_fails_the_job() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 3);
    when(incident.findByUniqueid("1.1")).thenThrow(new IncidentException("timeout", true, null, null));
    deliver.run(j);
    verify(queue).fail(eq(j), contains("gave up after 3 attempts"));
  }

  @Test
  void unanswered_call_without_recording_goes_straight_to_create() throws Exception {
    CallRecord busy = new CallRecord("2.2", null, null, null, "100", null, "200", "rig", null, null, null, 0, 0,
        "FAILED", "BUSY", null, null, null, CallRecord.Source.AGI);
    Job j = new Job(8, 4, Stage.WAIT, 1, 1, null, null, null, clock.instant(), busy);
    deliver.run(j);
    verify(queue).progress(eq(j), eq(Stage.CREATE), isNull(), isNull(), isNull(), any());
  }

  @Test
  void answered_call_whose_recording_is_missing_waits_without_using_an_attempt() throws Exception {
    Job j = job(Stage.WAIT, null, null, 1);
    deliver.run(j);
    verify(queue).postpone(eq(j), any(Instant.class), contains("recording not found"));
  }

  @Test
  void hostile_recording_path_fails_without_touching_files() throws Exception {
    CallRecord c = new CallRecord("3.3", null, null, null, "100", null, "101", "rig", null, null, null, 0, 0,
        "ANSWERED", "ANSWER", "../../etc/passwd", null, null, CallRecord.Source.AGI);
    Job j = new Job(9, 5, Stage.WAIT, 1, 1, null, null, null, clock.instant(), c);
    deliver.run(j);
    verify(queue).fail(eq(j), contains("outside the recordings root"));
  }
}
