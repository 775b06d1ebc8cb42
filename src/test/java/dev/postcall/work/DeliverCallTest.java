package dev.postcall.work;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallBuilder;
import dev.postcall.MutableClock;
import dev.postcall.audio.ConvertRecording;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.DialStatusMapping;
import dev.postcall.incident.IncidentException;
import dev.postcall.incident.IncidentSystem;
import dev.postcall.call.CallRecord;
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
import org.mockito.ArgumentCaptor;

/** The stage logic of a delivery, with the queue and the incident system as mocks (pure logic). */
class DeliverCallTest {
  @TempDir Path tmp;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  JobQueue queue = mock(JobQueue.class);
  IncidentSystem incident = mock(IncidentSystem.class);
  ConvertRecording converter = mock(ConvertRecording.class);
  DialStatusMapping statuses = mock(DialStatusMapping.class);
  static final Duration SETTLE = Duration.ofSeconds(30);
  static final Duration RECONCILE_AFTER = Duration.ofMinutes(2);
  SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  DeliverCall deliver;
  Path mp3;

  @BeforeEach
  void setUp() throws Exception {
    PostcallConfig cfg = PostcallConfig.from(Settings.of(Map.of("recordings.dir", tmp.toString(),
        "archive.dir", tmp.resolve("archive").toString(), "worker.max-attempts", "3")));
    deliver = new DeliverCall(new DeliverCall.Parts(queue, new RecordingPath(tmp, "${uniqueid}.wav"),
        new WaitForRecording(OpenFileProbe.NONE, Duration.ZERO, Duration.ofMinutes(10), clock, d -> clock.advance(d)), converter, statuses,
        incident, new CreateInDoubt(SETTLE, RECONCILE_AFTER, clock), new ArchiveRecording(cfg.archive()), cfg.recordings(),
        cfg.worker(), new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5), new Random(1)), clock, metrics));
    mp3 = Files.write(Files.createDirectories(tmp.resolve("archive")).resolve("1.1.mp3"), new byte[] {1, 2, 3});
    when(statuses.statusFor(any())).thenReturn("answered");
    when(queue.withCurrentCall(any())).thenAnswer(i -> i.getArgument(0));
  }

  static CallRecord call() {
    return CallBuilder.agi("1.1").channel("SIP/a-1").caller("100").extension("101").context("rig")
        .answer(Instant.parse("2026-11-23T09:59:00Z")).duration(10).billsec(9).disposition("ANSWERED").dialStatus("ANSWER")
        .build();
  }

  Job job(Stage stage, String mp3Path, String ref, int attempts) {
    return new Job(7, 3, stage, attempts, 1, mp3Path, ref, null, clock.instant(), call());
  }

  @Test
  void create_after_a_lost_response_reuses_the_object_found_by_uniqueid() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 2);
    when(incident.find(anyString(), eq("1.1"), anyBoolean())).thenReturn(Optional.of("OBJ-1"));
    deliver.run(j);
    verify(queue).progress(eq(j), eq(Stage.ATTACH), eq(mp3.toString()), eq("OBJ-1"), any(), any());
    verify(incident, never()).create(any(), anyString());
  }

  @Test
  void create_uploads_the_call_as_stored_now_with_timing_the_tailer_filled_in() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    CallRecord filled = CallBuilder.from(j.call()).end(Instant.parse("2026-11-23T09:59:40Z")).duration(40).billsec(38).build();
    when(queue.withCurrentCall(j)).thenReturn(new Job(j.id(), j.callId(), j.stage(), j.attempts(), j.version(),
        j.mp3Path(), null, null, j.createdAt(), filled));
    when(incident.find(anyString(), eq("1.1"), anyBoolean())).thenReturn(Optional.empty());
    when(incident.create(any(), anyString())).thenReturn("OBJ-2");
    deliver.run(j);
    verify(incident).create(eq(filled), eq("answered"));
  }

  @Test
  void a_job_that_never_reached_create_creates_without_looking_and_attaches_without_asking() throws Exception {
    Job j = job(Stage.CONVERT, null, null, 1);
    java.nio.file.Files.write(tmp.resolve("1.1.wav"), WaitForRecordingTest.closedWav(2000));
    when(converter.deadline(any())).thenReturn(Duration.ofSeconds(30));
    when(converter.convert(any(), any(), any(), any())).thenReturn(new ConvertRecording.Mp3(mp3, Duration.ofSeconds(1), 3));
    when(queue.progress(any(), any(), any(), any(), any(), any())).thenAnswer(i -> {
      Job in = i.getArgument(0);
      return new Job(in.id(), in.callId(), i.getArgument(1), in.attempts(), in.version() + 1, i.getArgument(2),
          i.getArgument(3), i.getArgument(4), in.createdAt(), in.call());
    });
    when(incident.create(any(), anyString())).thenReturn("OBJ-9");
    deliver.run(j);
    verify(incident, never()).find(anyString(), anyString(), anyBoolean());
    verify(incident, never()).recordingNames(anyString());
    verify(incident).attachRecording(eq("OBJ-9"), eq(mp3), anyString());
    verify(queue).done(any());
  }

  @Test
  void attach_is_skipped_when_the_object_already_has_its_file() throws Exception {
    Job j = job(Stage.ATTACH, mp3.toString(), "OBJ-1", 2);
    when(incident.recordingNames("OBJ-1")).thenReturn(java.util.List.of("1.1.mp3"));
    deliver.run(j);
    verify(queue).progress(eq(j), eq(Stage.CLEANUP), eq(mp3.toString()), eq("OBJ-1"), any(), any());
    verify(incident, never()).attachRecording(any(), any(), any());
  }

  @Test
  void attach_of_several_recordings_uploads_only_the_files_the_object_lacks_in_call_order() throws Exception {
    Path second = Files.write(tmp.resolve("archive").resolve("1.1-2.mp3"), new byte[] {4, 5});
    Path third = Files.write(tmp.resolve("archive").resolve("1.1-3.mp3"), new byte[] {6});
    Job j = job(Stage.ATTACH, mp3.toString(), "OBJ-1", 2);
    when(queue.recordings(j)).thenReturn(java.util.List.of(
        new dev.postcall.queue.CallRecording(1, "1.1.wav", clock.instant(), 9000L, mp3.toString()),
        new dev.postcall.queue.CallRecording(2, "1.1-c.wav", clock.instant(), 3000L, second.toString()),
        new dev.postcall.queue.CallRecording(3, "1.1-d.wav", clock.instant(), 1000L, third.toString())));
    // an earlier attempt put the first file there and lost the answer to the second
    when(incident.recordingNames("OBJ-1")).thenReturn(java.util.List.of("1.1.mp3"));
    deliver.run(j);
    org.mockito.InOrder order = org.mockito.Mockito.inOrder(incident);
    order.verify(incident).attachRecording("OBJ-1", second, "1.1-2.mp3");
    order.verify(incident).attachRecording("OBJ-1", third, "1.1-3.mp3");
    verify(incident, never()).attachRecording(eq("OBJ-1"), eq(mp3), anyString());
    verify(queue).progress(eq(j), eq(Stage.CLEANUP), eq(mp3.toString()), eq("OBJ-1"), any(), any());
  }

  @Test
  void attach_of_several_recordings_with_one_not_converted_goes_back_to_convert() throws Exception {
    Job j = job(Stage.ATTACH, mp3.toString(), "OBJ-1", 2);
    when(queue.recordings(j)).thenReturn(java.util.List.of(
        new dev.postcall.queue.CallRecording(1, "1.1.wav", clock.instant(), 9000L, mp3.toString()),
        new dev.postcall.queue.CallRecording(2, "1.1-c.wav", clock.instant(), 3000L, null)));
    deliver.run(j);
    verify(queue).progress(eq(j), eq(Stage.CONVERT), isNull(), eq("OBJ-1"), isNull(), any());
    verify(incident, never()).attachRecording(any(), any(), any());
  }

  @Test
  void transient_error_schedules_a_retry_with_backoff() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.find(anyString(), eq("1.1"), anyBoolean())).thenThrow(new IncidentException("connection refused", true, null, null));
    deliver.run(j);
    verify(queue).retryLater(eq(j), any(Instant.class), contains("connection refused"), isNull());
    verify(queue, never()).fail(any(), anyString(), any());
  }

  @Test
  void permanent_fault_fails_at_once_with_the_fault_text() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.find(anyString(), eq("1.1"), anyBoolean())).thenReturn(Optional.empty());
    when(incident.create(any(), eq("answered"))).thenThrow(new IncidentException("VALIDATION: bad status", false, "VALIDATION", null));
    deliver.run(j);
    verify(queue).fail(eq(j), contains("VALIDATION: bad status"), isNull());
  }

  @Test
  void transient_error_on_the_last_attempt_fails_the_job() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 3);
    when(incident.find(anyString(), eq("1.1"), anyBoolean())).thenThrow(new IncidentException("timeout", true, null, null));
    deliver.run(j);
    verify(queue).fail(eq(j), contains("gave up after 3 attempts"), isNull());
  }

  @Test
  void unanswered_call_without_recording_goes_straight_to_create() throws Exception {
    CallRecord busy = CallBuilder.agi("2.2").caller("100").extension("200").context("rig").duration(0).billsec(0)
        .disposition("FAILED").dialStatus("BUSY").build();
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

  Job inDoubt(Stage stage, String ref, Instant unansweredAt) {
    return new Job(7, 3, stage, 2, 1, mp3.toString(), ref, null, clock.instant().minusSeconds(60), call(), unansweredAt);
  }

  static IncidentException timedOut() {
    return new IncidentException("createObjectref failed: timed out", true, null, IncidentException.Outcome.UNKNOWN, null);
  }

  @Test
  void an_unanswered_create_is_stored_as_in_doubt_and_retried_no_sooner_than_the_settle_time() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.create(any(), anyString())).thenAnswer(i -> {
      clock.advance(Duration.ofSeconds(3)); // the receive timeout passes
      throw timedOut();
    });
    deliver.run(j);
    // backoff would say ~5 s; the settle time counts from the moment the client gave up
    Instant gaveUp = clock.instant();
    verify(queue).retryLater(eq(j), eq(gaveUp.plus(SETTLE)), contains("may still carry it out"), eq(gaveUp));
  }

  @Test
  void an_unanswered_add_file_is_retried_no_sooner_than_the_settle_time_and_not_stored_as_a_create_in_doubt() throws Exception {
    Job j = job(Stage.ATTACH, mp3.toString(), "OBJ-1", 1);
    doThrow(new IncidentException("addFile failed: timed out", true, null, IncidentException.Outcome.UNKNOWN, null))
        .when(incident).attachRecording(eq("OBJ-1"), eq(mp3), anyString());
    deliver.run(j);
    verify(queue).retryLater(eq(j), eq(clock.instant().plus(SETTLE)), contains("not looking the file up before"), isNull());
  }

  @Test
  void a_refused_connection_is_not_in_doubt_and_retries_after_the_backoff() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.create(any(), anyString())).thenThrow(
        new IncidentException("cannot connect", true, null, IncidentException.Outcome.NOT_SENT, null));
    deliver.run(j);
    ArgumentCaptor<Instant> at = ArgumentCaptor.forClass(Instant.class);
    verify(queue).retryLater(eq(j), at.capture(), contains("cannot connect"), isNull());
    assertTrue(at.getValue().isBefore(clock.instant().plus(SETTLE)), "retry at " + at.getValue());
  }

  @Test
  void a_fault_answer_to_create_is_not_in_doubt() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 1);
    when(incident.create(any(), anyString())).thenThrow(new IncidentException("fault BUSY", true, "BUSY", null));
    deliver.run(j);
    verify(queue).retryLater(eq(j), any(Instant.class), contains("BUSY"), isNull());
  }

  @Test
  void a_job_in_doubt_waits_out_the_settle_time_before_looking_then_finds_the_late_object() throws Exception {
    Instant unanswered = clock.instant().minusSeconds(10);
    Job j = inDoubt(Stage.CREATE, null, unanswered);
    deliver.run(j);
    verify(queue).postpone(eq(j), eq(unanswered.plus(SETTLE)), contains("went unanswered"));
    verify(incident, never()).find(anyString(), anyString(), anyBoolean());
    verify(incident, never()).create(any(), anyString());

    clock.advance(Duration.ofSeconds(20)); // settle time over
    when(incident.find(anyString(), eq("1.1"), anyBoolean())).thenReturn(Optional.of("OBJ-LATE"));
    deliver.run(j);
    verify(queue).progress(eq(j), eq(Stage.ATTACH), any(), eq("OBJ-LATE"), any(), any());
    verify(incident, never()).create(any(), anyString());
  }

  @Test
  void a_failed_job_whose_create_went_unanswered_keeps_that_for_an_admin_retry() throws Exception {
    Job j = job(Stage.CREATE, mp3.toString(), null, 3); // the last attempt
    Instant sent = clock.instant();
    when(incident.create(any(), anyString())).thenThrow(timedOut());
    deliver.run(j);
    verify(queue).fail(eq(j), contains("gave up after 3 attempts"), eq(sent));
  }

  @Test
  void cleanup_of_a_job_in_doubt_schedules_reconcile_instead_of_done() throws Exception {
    Job j = inDoubt(Stage.CLEANUP, "OBJ-2", clock.instant().minusSeconds(40));
    deliver.run(j);
    verify(queue).awaitReconcile(eq(j), eq(clock.instant().plus(RECONCILE_AFTER)), contains("OBJ-2"));
    verify(queue, never()).done(any());
    verify(queue, never()).done(any(), any());
  }

  @Test
  void reconcile_removes_the_late_object_and_keeps_the_one_with_the_recording() throws Exception {
    Job j = inDoubt(Stage.RECONCILE, "OBJ-2", clock.instant().minusSeconds(200));
    when(incident.list(anyString(), eq("1.1"), anyBoolean())).thenReturn(java.util.List.of("OBJ-1", "OBJ-2"));
    when(incident.hasRecording("OBJ-1")).thenReturn(false);
    when(incident.remove(eq("OBJ-1"), anyString())).thenReturn(true);
    deliver.run(j);
    verify(incident).remove(eq("OBJ-1"), contains("OBJ-2 holds the call and its recording"));
    verify(incident, never()).remove(eq("OBJ-2"), anyString());
    verify(queue).done(eq(j), contains("removed duplicate object(s) [OBJ-1]"));
    assertEquals(1.0, metrics.counter("postcall.incident.duplicates.removed").count());
  }

  @Test
  void reconcile_with_one_object_just_finishes() throws Exception {
    Job j = inDoubt(Stage.RECONCILE, "OBJ-2", clock.instant().minusSeconds(200));
    when(incident.list(anyString(), eq("1.1"), anyBoolean())).thenReturn(java.util.List.of("OBJ-2"));
    deliver.run(j);
    verify(incident, never()).remove(anyString(), anyString());
    verify(queue).done(eq(j), contains("no second object"));
  }

  @Test
  void reconcile_removes_nothing_when_another_object_has_a_file_and_hands_it_to_the_admins() throws Exception {
    Job j = inDoubt(Stage.RECONCILE, "OBJ-2", clock.instant().minusSeconds(200));
    when(incident.list(anyString(), eq("1.1"), anyBoolean())).thenReturn(java.util.List.of("OBJ-1", "OBJ-2"));
    when(incident.hasRecording("OBJ-1")).thenReturn(true);
    deliver.run(j);
    verify(incident, never()).remove(anyString(), anyString());
    verify(queue).fail(eq(j), contains("nothing removed"), isNull());
  }

  @Test
  void hostile_recording_path_fails_without_touching_files() throws Exception {
    CallRecord c = CallBuilder.agi("3.3").caller("100").extension("101").context("rig").duration(0).billsec(0)
        .disposition("ANSWERED").dialStatus("ANSWER").recording("../../etc/passwd").build();
    Job j = new Job(9, 5, Stage.WAIT, 1, 1, null, null, null, clock.instant(), c);
    deliver.run(j);
    verify(queue).fail(eq(j), contains("outside the recordings root"), isNull());
  }

  @Test
  void answered_call_whose_recording_never_appears_is_delivered_without_one_after_the_missing_wait() throws Exception {
    Job j = new Job(7, 3, Stage.WAIT, 1, 1, null, null, null, clock.instant().minus(Duration.ofMinutes(5)), call());
    deliver.run(j);
    verify(queue).progress(eq(j), eq(Stage.CREATE), isNull(), isNull(), isNull(), any());
    verify(queue, never()).postpone(any(), any(), anyString());
    verify(queue, never()).fail(any(), anyString(), any());
  }

  @Test
  void the_wait_for_a_missing_recording_is_not_postponed_past_the_missing_wait() throws Exception {
    Job j = new Job(7, 3, Stage.WAIT, 1, 1, null, null, null, clock.instant().minus(Duration.ofSeconds(290)), call());
    deliver.run(j);
    verify(queue).postpone(eq(j), eq(j.createdAt().plus(Duration.ofMinutes(5))), contains("recording not found"));
  }

  @Test
  void an_mp3_path_from_the_database_outside_the_archive_is_never_uploaded_but_converted_again() throws Exception {
    // another worker's MP3 (it died after converting) or a path someone put in the database
    Path elsewhere = Files.write(tmp.resolve("secret.mp3"), new byte[] {9});
    Job j = job(Stage.ATTACH, elsewhere.toString(), "OBJ-1", 1);
    deliver.run(j);
    verify(incident, never()).attachRecording(any(), any(), any());
    verify(queue, never()).fail(any(), anyString(), any());
    verify(queue).progress(eq(j), eq(Stage.CONVERT), isNull(), eq("OBJ-1"), isNull(), any());
  }

  @Test
  void another_workers_mp3_before_the_create_is_converted_again_here() throws Exception {
    Path elsewhere = Files.write(tmp.resolve("other-worker.mp3"), new byte[] {9});
    Job j = job(Stage.CREATE, elsewhere.toString(), null, 1);
    deliver.run(j);
    verify(incident, never()).create(any(), any());
    verify(queue).progress(eq(j), eq(Stage.CONVERT), isNull(), isNull(), isNull(), any());
  }

  @Test
  void an_mp3_path_leading_out_of_the_archive_through_a_symlink_is_never_uploaded() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.write(outside.resolve("x.mp3"), new byte[] {9});
    Files.createSymbolicLink(tmp.resolve("archive/2026"), outside);
    Job j = job(Stage.ATTACH, tmp.resolve("archive/2026/x.mp3").toString(), "OBJ-1", 1);
    deliver.run(j);
    verify(incident, never()).attachRecording(any(), any(), any());
    verify(queue).fail(eq(j), contains("links outside"), isNull());
  }

  /** Converts the call's WAVs at CONVERT, each MP3 lasting {@code mp3Length}; what DeliverCall logged meanwhile. */
  java.util.List<String> convertAll(Job j, Duration mp3Length, String... wavs) throws Exception {
    for (String w : wavs) Files.write(tmp.resolve(w), WaitForRecordingTest.closedWav(2000));
    when(converter.deadline(any())).thenReturn(Duration.ofSeconds(30));
    when(converter.convert(any(), any(), any(), any())).thenReturn(new ConvertRecording.Mp3(mp3, mp3Length, 3));
    // the lease held longer for ffmpeg is stored; the run ends once CONVERT has handed on to CREATE
    when(queue.progress(any(), any(), any(), any(), any(), any())).thenAnswer(i -> {
      Job in = i.getArgument(0);
      return i.getArgument(1) == Stage.CREATE ? null : new Job(in.id(), in.callId(), i.getArgument(1), in.attempts(),
          in.version() + 1, i.getArgument(2), i.getArgument(3), i.getArgument(4), in.createdAt(), in.call());
    });
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DeliverCall.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      deliver.run(j);
    } finally {
      logger.detachAppender(logs);
    }
    verify(queue, never()).fail(any(), anyString(), any());
    verify(queue).progress(any(), eq(Stage.CREATE), anyString(), isNull(), isNull(), any());
    synchronized (logs) {
      return logs.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
  }

  double shortCount() {
    return metrics.counter("postcall.recordings.short").count();
  }

  @Test
  void one_recording_much_shorter_than_the_answered_time_is_flagged_short_counted_and_told_once() throws Exception {
    Job j = job(Stage.CONVERT, null, null, 1);
    java.util.List<String> logged = convertAll(j, Duration.ofSeconds(1), "1.1.wav");
    verify(queue).flagRecording(any(), eq(JobQueue.RecordingFlag.SHORT));
    assertEquals(1, shortCount());
    assertEquals(java.util.List.of("WARN recording 1.1.wav lasts 1000 ms of a call answered for 9 s: not the whole"
        + " conversation (flagged recording_short)"), logged.stream().filter(l -> l.contains("recording_short")).toList());
  }

  @Test
  void one_recording_as_long_as_the_answered_time_is_not_flagged() throws Exception {
    Job j = job(Stage.CONVERT, null, null, 1);
    java.util.List<String> logged = convertAll(j, Duration.ofSeconds(9), "1.1.wav");
    verify(queue, never()).flagRecording(any(), eq(JobQueue.RecordingFlag.SHORT));
    assertEquals(0, shortCount());
    assertTrue(logged.stream().noneMatch(l -> l.contains("recording_short")), logged.toString());
  }

  @Test
  void several_recordings_covering_much_less_than_the_answered_time_are_flagged_short_counted_and_told_once() throws Exception {
    Job j = job(Stage.CONVERT, null, null, 1);
    Instant began = Instant.parse("2026-11-23T09:59:01Z");
    when(queue.recordings(j)).thenReturn(java.util.List.of(
        new dev.postcall.queue.CallRecording(1, "1.1.wav", began, 125L, null),
        new dev.postcall.queue.CallRecording(2, "1.1-c.wav", began.plusSeconds(1), 125L, null)));
    java.util.List<String> logged = convertAll(j, Duration.ofSeconds(1), "1.1.wav", "1.1-c.wav");
    verify(converter, org.mockito.Mockito.times(2)).convert(any(), any(), any(), any());
    verify(queue).flagRecording(any(), eq(JobQueue.RecordingFlag.SHORT));
    assertEquals(1, shortCount());
    // one after the other, a second each: 2 s of the 9 s answered
    assertEquals(java.util.List.of("WARN 2 recordings cover 2000 ms of a call answered for 9 s: not the whole"
        + " conversation (flagged recording_short)"), logged.stream().filter(l -> l.contains("recording_short")).toList());
  }

  DeliverCall deliverWith(String key, String value) {
    PostcallConfig cfg = PostcallConfig.from(Settings.of(Map.of("recordings.dir", tmp.toString(),
        "archive.dir", tmp.resolve("archive").toString(), key, value)));
    return new DeliverCall(new DeliverCall.Parts(queue, new RecordingPath(tmp, "${uniqueid}.wav"),
        new WaitForRecording(OpenFileProbe.NONE, Duration.ZERO, Duration.ofMinutes(10), clock, d -> clock.advance(d)), converter,
        statuses, incident, new CreateInDoubt(SETTLE, RECONCILE_AFTER, clock), new ArchiveRecording(cfg.archive()), cfg.recordings(), cfg.worker(),
        new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5), new Random(1)), clock, new SimpleMeterRegistry()));
  }

  @Test
  void cleanup_deletes_no_mp3_outside_the_archive_and_still_completes_the_delivery() throws Exception {
    Path secret = Files.write(tmp.resolve("secret.mp3"), new byte[] {9});
    Job j = job(Stage.CLEANUP, secret.toString(), "OBJ-1", 1);
    deliverWith("archive.keep-mp3", "false").run(j);
    org.junit.jupiter.api.Assertions.assertTrue(Files.exists(secret));
    verify(queue).done(any());
  }

  @Test
  void an_oversized_recording_fails_with_that_reason_and_stays() throws Exception {
    DeliverCall small = deliverWith("recordings.max-bytes", "1M");
    Path wav = tmp.resolve("1.1.wav");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(wav.toFile(), "rw")) {
      f.write(WaitForRecordingTest.openWav(0));
      f.setLength(20L << 30); // sparse: 20 GiB that take no disk
    }
    Job j = job(Stage.CONVERT, null, null, 1);
    small.run(j);
    verify(queue).fail(eq(j), contains("more than recordings.max-bytes (1048576)"), isNull());
    verify(converter, never()).convert(any(), any(), any(), any());
    org.junit.jupiter.api.Assertions.assertTrue(Files.exists(wav));
  }

  @Test
  void a_conversion_longer_than_the_lease_holds_the_job_and_a_failure_after_is_recorded_on_the_job_as_held() throws Exception {
    java.nio.file.Files.write(tmp.resolve("1.1.wav"), WaitForRecordingTest.closedWav(2000));
    when(converter.deadline(any())).thenReturn(Duration.ofMinutes(20));
    when(queue.progress(any(), any(), any(), any(), any(), any())).thenAnswer(i -> {
      Job in = i.getArgument(0);
      return new Job(in.id(), in.callId(), i.getArgument(1), in.attempts(), in.version() + 1, i.getArgument(2),
          i.getArgument(3), i.getArgument(4), in.createdAt(), in.call());
    });
    when(converter.convert(any(), any(), any(), any())).thenThrow(new dev.postcall.PostcallException("ffmpeg says no", false));
    Job j = job(Stage.CONVERT, null, null, 1);
    deliverWith("worker.lease", "10s").run(j);
    verify(queue).progress(eq(j), eq(Stage.CONVERT), isNull(), isNull(), isNull(), eq(Duration.ofMinutes(21)));
    verify(queue).fail(org.mockito.ArgumentMatchers.argThat(x -> x.version() == j.version() + 1), contains("ffmpeg says no"), isNull());
  }
}
