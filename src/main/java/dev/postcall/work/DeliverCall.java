package dev.postcall.work;

import dev.postcall.PostcallException;
import dev.postcall.audio.ConvertRecording;
import dev.postcall.audio.OverwrittenRecording;
import dev.postcall.audio.WavInfo;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.DialStatusMapping;
import dev.postcall.incident.IncidentException;
import dev.postcall.incident.IncidentSystem;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallRecording;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.LeaseLostException;
import dev.postcall.queue.Stage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one claimed job through its stages — WAIT → CONVERT → CREATE → ATTACH → CLEANUP — and
 * records progress after each, so a retry (or another worker after a crash) resumes at the stage
 * that did not finish. CREATE looks the call up by uniqueid before creating, and ATTACH asks
 * whether the file is already there, so a lost response never leads to a second object or file.
 * A create that went unanswered is not followed by a lookup before the settle time, and its job
 * ends with RECONCILE (see {@link CreateInDoubt}).
 */
public final class DeliverCall {
  private static final Logger log = LoggerFactory.getLogger(DeliverCall.class);

  /** What a delivery needs; grouped so the constructor stays readable. */
  public record Parts(
      JobQueue queue,
      RecordingPath recordings,
      WaitForRecording waitForRecording,
      ConvertRecording converter,
      DialStatusMapping statuses,
      IncidentSystem incident,
      CreateInDoubt inDoubt,
      ArchiveRecording archive,
      PostcallConfig.Recordings recordingsCfg,
      PostcallConfig.Worker workerCfg,
      Backoff backoff,
      Clock clock,
      MeterRegistry metrics,
      String pbxId) {
    /** A worker whose own pbx.id is the host name's (pbx.id unset). */
    public Parts(JobQueue queue, RecordingPath recordings, WaitForRecording waitForRecording, ConvertRecording converter,
        DialStatusMapping statuses, IncidentSystem incident, CreateInDoubt inDoubt, ArchiveRecording archive,
        PostcallConfig.Recordings recordingsCfg, PostcallConfig.Worker workerCfg, Backoff backoff, Clock clock,
        MeterRegistry metrics) {
      this(queue, recordings, waitForRecording, converter, statuses, incident, inDoubt, archive, recordingsCfg, workerCfg,
          backoff, clock, metrics, PostcallConfig.Pbx.defaultId());
    }
  }

  private final Parts p;

  public DeliverCall(Parts parts) {
    this.p = parts;
  }

  /** The production assembly from the configuration (the service and the integration tests use it). */
  public static DeliverCall from(PostcallConfig cfg, JobQueue queue, IncidentSystem incident, Clock clock,
      MeterRegistry metrics) {
    OpenFileProbe probe = cfg.recordings().procProbe() && ProcOpenFiles.available() ? new ProcOpenFiles() : OpenFileProbe.NONE;
    return new DeliverCall(new Parts(queue,
        RecordingPath.of(cfg.recordings()),
        new WaitForRecording(probe, cfg.recordings().quietPeriod(), cfg.recordings().unclosedWait(), clock,
            WaitForRecording.Sleeper.REAL),
        new ConvertRecording(cfg.audio()),
        new DialStatusMapping(cfg.statusMap(), cfg.statusDefault()),
        incident,
        new CreateInDoubt(cfg.incident().createSettle(), cfg.incident().reconcileAfter(), clock),
        new ArchiveRecording(cfg.archive()), cfg.recordings(), cfg.worker(),
        new Backoff(cfg.worker().backoffBase(), cfg.worker().backoffMax(), new java.util.Random()),
        clock, metrics, cfg.pbx().id()));
  }

  /**
   * Whether an incident object without a PBX attribute may be this call's: it was made before
   * postcall sent the PBX, when one PBX fed the database — taken to be the one this node is (pbx.id).
   */
  private boolean orUnmarked(Job job) {
    return job.call().pbxId().equals(p.pbxId()) || job.call().pbxId().isEmpty();
  }

  /** Delivers the job as far as it can; never throws (the outcome is written to the queue). */
  public void run(Job claimed) {
    Job job = claimed;
    Attempt attempt = new Attempt(claimed.stage().compareTo(Stage.CREATE) >= 0);
    MDC.put("uniqueid", job.uniqueid());
    MDC.put("pbx", job.call().pbxId());
    try {
      while (job != null && job.stage() != Stage.DONE) {
        Stage stage = job.stage();
        Timer.Sample t = Timer.start(p.metrics());
        Job next = step(job, attempt);
        attempt.took(stage, t.stop(p.metrics().timer("postcall.stage.duration", "stage", stage.name())));
        job = next;
      }
      if (attempt.delivered != null) logDelivered(attempt);
    } catch (LeaseLostException e) {
      log.warn("{}", e.getMessage());
    } catch (InterruptedException e) {
      release(attempt.latest(job), "service stopping");
      Thread.currentThread().interrupt();
    } catch (PostcallException e) {
      onError(attempt.latest(job), e.getMessage(), e.retryable(), e, attempt.unansweredAt);
    } catch (IOException e) {
      onError(attempt.latest(job), "I/O error: " + e.getMessage(), true, e, null);
    } catch (SQLException e) {
      // We cannot record anything now; the lease runs out and the job is claimed again.
      log.warn("database error in stage {}, job returns after its lease: {}", job.stage(), e.getMessage());
    } catch (RuntimeException e) {
      onError(attempt.latest(job), "unexpected " + e, true, e, null);
    } finally {
      attempt.closeRecording();
      MDC.remove("uniqueid");
      MDC.remove("pbx");
    }
  }

  /**
   * What this run knows that the row does not say. A job claimed before CREATE has never reached
   * CREATE (the stage is stored before the create call), so no object of it can exist yet and the
   * lookup by uniqueid is skipped; an object this run created itself has no file yet. Claimed at
   * CREATE or later — after a crash, a lost response, an admin retry — both questions are asked.
   */
  private static final class Attempt {
    final boolean earlierRunReachedCreate;
    boolean createdHere;
    /** When this run's create or addFile was sent and not answered: the incident system may still carry it out. */
    Instant unansweredAt;
    /** Set by CLEANUP: the job is delivered; run() logs it once the last step's time is known. */
    Job delivered;
    Instant reconcileAt;
    final Map<Stage, Long> nanos = new EnumMap<>(Stage.class);

    void took(Stage stage, long ns) {
      nanos.merge(stage, ns, Long::sum);
    }

    /** The WAVs this run converted, held open so that only those files are deleted after the upload. */
    final List<OpenRecording> recordings = new java.util.ArrayList<>();
    /** The job as stored after a step updated it midway (a lease held longer for a long conversion). */
    Job updated;

    Job latest(Job job) {
      return updated != null && updated.id() == job.id() && updated.version() > job.version() ? updated : job;
    }

    Attempt(boolean earlierRunReachedCreate) {
      this.earlierRunReachedCreate = earlierRunReachedCreate;
    }

    void closeRecording() {
      for (OpenRecording r : recordings) {
        try {
          r.close();
        } catch (IOException e) {
          log.debug("closing {}: {}", r.path(), e.getMessage());
        }
      }
      recordings.clear();
    }

    OpenRecording opened(Path wav) {
      return recordings.stream().filter(r -> r.path().equals(wav)).findFirst().orElse(null);
    }
  }

  /** Runs the job's current stage; returns the job as stored afterwards, or null when handed back. */
  private Job step(Job job, Attempt attempt) throws IOException, SQLException, InterruptedException {
    return switch (job.stage()) {
      case WAIT -> waitForRecording(job);
      case CONVERT -> convert(job, attempt);
      case CREATE -> create(job, attempt);
      case ATTACH -> attach(job, attempt);
      case CLEANUP -> cleanUp(job, attempt);
      case RECONCILE -> reconcile(job);
      case DONE -> job;
    };
  }

  private Job waitForRecording(Job job) throws IOException, SQLException, InterruptedException {
    Path wav = p.recordings().resolve(job.call());
    WaitForRecording.Outcome o = p.waitForRecording().await(wav, p.recordingsCfg().openWait());
    Duration age = Duration.between(job.createdAt(), p.clock().instant());
    boolean tooOld = age.compareTo(p.recordingsCfg().maxAge()) > 0;
    switch (o.state()) {
      case STILL_WRITING -> {
        if (tooOld) throw new PostcallException("recording " + wav + " still being written after " + age.toMinutes() + " min", false);
        p.queue().postpone(job, p.clock().instant().plusSeconds(1), "recording still open");
        log.debug("recording {} still open, waiting", wav);
        return null;
      }
      case ABSENT -> {
        if (!answered(job.call())) {
          log.debug("unanswered, no recording: delivering the call alone");
          return afterWait(job, wav, false);
        }
        Duration missingWait = p.recordingsCfg().missingWait();
        if (age.compareTo(missingWait) >= 0) {
          // A dialplan that records selectively, or a MixMonitor that failed: the call itself still counts.
          log.warn("answered, but no recording appeared at {} within {}: delivering the call WITHOUT a recording",
              wav, human(missingWait));
          Job next = afterWait(job, wav, false);
          if (next != null && next.stage() == Stage.CREATE) p.metrics().counter("postcall.delivered.without.recording").increment();
          return next;
        }
        Instant next = p.clock().instant().plus(p.recordingsCfg().openWait());
        Instant giveUp = job.createdAt().plus(missingWait);
        p.queue().postpone(job, next.isAfter(giveUp) ? giveUp : next, "recording not found yet: " + wav);
        log.debug("answered but no recording at {} yet, trying later (without one after {})", wav, human(missingWait));
        return null;
      }
      default -> {
        if (o.state() == WaitForRecording.State.UNCLOSED)
          log.warn("recording {} was never closed by Asterisk (header sizes unset, unchanged for {}): converting the {} bytes it holds",
              wav, human(p.recordingsCfg().unclosedWait()), o.size());
        boolean audio = o.size() > p.recordingsCfg().headerOnlyBytes();
        if (!audio && answered(job.call())) log.warn("answered, but recording {} holds no audio ({} bytes)", wav, o.size());
        return afterWait(job, wav, audio);
      }
    }
  }

  /**
   * Once the call's own file has settled: every recording of the call with audio, in call order —
   * the file MIXMONITOR_FILENAME names and the caller's file by recordings.pattern, which differ
   * when the dialplan started a second MixMonitor on the caller with another name (a destination
   * that records). Stored (call_recordings) so CONVERT and ATTACH work through them one by one and
   * a retry redoes only what is missing. Null when another file is still being written (postponed).
   */
  private Job afterWait(Job job, Path own, boolean ownHasAudio) throws IOException, SQLException, InterruptedException {
    List<Found> found = new java.util.ArrayList<>();
    if (ownHasAudio) found.add(Found.of(p.recordings().name(job.call()), own));
    String patternName;
    try {
      patternName = p.recordings().patternName(job.call());
    } catch (PostcallException e) {
      patternName = null; // a uniqueid that is no safe file name: only the named recording counts
    }
    Path other = patternName == null ? null : p.recordings().resolve(job.call(), patternName);
    // MIXMONITOR_FILENAME is often the same file by its absolute path
    if (other != null && !other.equals(own)) {
      WaitForRecording.Outcome o = p.waitForRecording().await(other, p.recordingsCfg().openWait());
      if (o.state() == WaitForRecording.State.STILL_WRITING) {
        p.queue().postpone(job, p.clock().instant().plusSeconds(1), "recording " + other + " still open");
        return null;
      }
      if (o.state() != WaitForRecording.State.ABSENT && o.size() > p.recordingsCfg().headerOnlyBytes())
        found.add(Found.of(patternName, other));
    }
    if (found.isEmpty()) return p.queue().progress(job, Stage.CREATE, null, null, null, lease());
    // call order: when each file's audio began (its last write minus its length)
    found.sort(java.util.Comparator.comparing(Found::startedAt, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
    List<CallRecording> rows = new java.util.ArrayList<>();
    for (int i = 0; i < found.size(); i++) rows.add(new CallRecording(i + 1, found.get(i).name(), found.get(i).startedAt(), found.get(i).audioMs(), null));
    p.queue().recordingsFound(job, rows);
    if (rows.size() > 1) log.info("{} recordings belong to this call: {}", rows.size(), rows.stream().map(CallRecording::name).toList());
    return p.queue().progress(job, Stage.CONVERT, null, null, null, lease());
  }

  /**
   * Whether the stored list, not the call's one named file, says what to convert, upload and delete:
   * more than one recording, or one that is not the file MIXMONITOR_FILENAME names (that held no audio).
   */
  private boolean several(List<CallRecording> recordings, Job job) {
    return recordings.size() > 1 || recordings.size() == 1
        && !p.recordings().resolve(job.call(), recordings.get(0).name()).equals(p.recordings().resolve(job.call()));
  }

  /** A recording file found for the call, with when its audio began. */
  private record Found(String name, Instant startedAt, Long audioMs) {
    static Found of(String name, Path wav) {
      try {
        WavInfo info = WavInfo.read(wav);
        Instant modified = Files.getLastModifiedTime(wav).toInstant();
        return new Found(name, modified.minus(info.duration()), info.duration().toMillis());
      } catch (IOException | PostcallException e) {
        return new Found(name, null, null); // CONVERT says what is wrong with it
      }
    }
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  private Job convert(Job claimed, Attempt attempt) throws SQLException, InterruptedException, IOException {
    List<CallRecording> recordings = p.queue().recordings(claimed);
    if (several(recordings, claimed)) return convertEach(claimed, attempt, recordings);
    Job job = claimed;
    Path wav = p.recordings().resolve(job.call());
    Instant day = job.call().start() != null ? job.call().start() : job.createdAt();
    Path mp3 = p.archive().mp3For(job.uniqueid(), job.id(), ArchiveRecording.dayOf(day));
    attempt.closeRecording();
    Converted c = convertOne(job, attempt, wav, mp3, null);
    job = c.job();
    ConvertRecording.Mp3 out = c.mp3();
    flagIfShort(job, out.duration(), "recording " + wav.getFileName() + " lasts");
    pastCall(c.wavAudio(), job);
    log.debug("converted {} → {} ({} s, {} bytes)", wav.getFileName(), out.path(),
        out.duration().toSeconds(), out.bytes());
    return p.queue().progress(job, Stage.CREATE, out.path().toString(), job.objectref(), null, lease());
  }

  /**
   * Flags a call whose recordings hold much less than its answered time; they still go to the
   * incident system: part of the conversation beats none. {@code what}: the recordings and their verb.
   */
  private void flagIfShort(Job job, Duration audio, String what) throws SQLException {
    if (!ShortRecording.isShort(audio, job.call().billsec())) return;
    log.warn("{} {} ms of a call answered for {} s: not the whole conversation (flagged recording_short)", what,
        audio.toMillis(), job.call().billsec());
    p.metrics().counter("postcall.recordings.short").increment();
    p.queue().flagRecording(job, JobQueue.RecordingFlag.SHORT);
  }

  /** Reports a call whose recordings run well past its end: its timing, not its audio, is short. */
  private void pastCall(Duration audio, Job job) throws SQLException {
    if (!ShortRecording.outlastsCall(audio, job.call().duration())) return;
    p.metrics().counter("postcall.recordings.past_call").increment();
    CallRecord c = job.call();
    String why = "recordings hold {} ms of a call that lasted {} s: its timing ended before its talk (with the h form a"
        + " picker's h runs at the pickup; the hangup-handler form has the whole call)";
    if (c.start() == null) {
      log.warn(why, audio.toMillis(), c.duration());
      return;
    }
    // A MixMonitor records only while its channel lives: the call lasted at least as long as its
    // audio. Only ever extended, and the same on every run, so a retry changes nothing.
    Instant end = c.start().plus(audio).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    int seconds = (int) audio.toSeconds();
    p.queue().extendCallEnd(job, end, seconds);
    log.warn(why + ": delivered with its end at start + audio, {} ({} s), billsec as stored", audio.toMillis(),
        c.duration(), end, seconds);
  }

  /** {@code wavAudio}: the WAV's own length (an MP3 may run a few frames longer). */
  private record Converted(Job job, ConvertRecording.Mp3 mp3, Duration wavAudio) {}

  /** One WAV to {@code mp3}; the job comes back newer when its lease had to grow for ffmpeg. */
  private Converted convertOne(Job job, Attempt attempt, Path wav, Path mp3, String mp3Path)
      throws SQLException, InterruptedException, IOException {
    OpenRecording rec = OpenRecording.open(p.recordings().rootOf(job.call()), wav);
    attempt.recordings.add(rec);
    long max = p.recordingsCfg().maxBytes();
    if (rec.size() > max)
      throw new PostcallException("recording " + wav + " holds " + rec.size() + " bytes, more than recordings.max-bytes ("
          + max + "): not converted", false);
    WavInfo info = WavInfo.read(wav, rec.channel());
    // a long recording may take longer than the lease: hold the job for as long as ffmpeg may run
    Duration limit = p.converter().deadline(info).plus(Duration.ofMinutes(1));
    if (limit.compareTo(lease()) > 0) {
      job = p.queue().progress(job, Stage.CONVERT, mp3Path, job.objectref(), null, limit);
      attempt.updated = job;
    }
    ConvertRecording.Mp3 out = p.converter().convert(wav, rec.channel(), info, mp3);
    p.metrics().counter("postcall.conversions").increment();
    overwritten(job, wav, rec, info);
    return new Converted(job, out, info.duration());
  }

  /**
   * Flags a recording two MixMonitors wrote to one file (a destination that records to the caller's
   * own file name). It is delivered all the same: the audio it holds is what is left of the call.
   */
  private void overwritten(Job job, Path wav, OpenRecording rec, WavInfo info) throws SQLException {
    java.util.Optional<OverwrittenRecording.Finding> found;
    try {
      found = OverwrittenRecording.check(rec.channel(), info);
    } catch (IOException e) {
      log.warn("cannot check recording {} for a second MixMonitor on the same file: {}", wav.getFileName(), e.toString());
      return;
    }
    if (found.isEmpty()) return;
    OverwrittenRecording.Finding f = found.get();
    log.warn("recording {} was written by two MixMonitors: its last {} ms repeat the audio {} ms earlier ({}; the"
        + " second started then and truncated the file; the call's first part is lost, longest run of zeros {} ms)"
        + " (flagged recording_overwritten)", wav.getFileName(), f.repeated().toMillis(), f.lag().toMillis(), f.evidence(),
        f.zeros().toMillis());
    p.metrics().counter("postcall.recordings.overwritten").increment();
    p.queue().flagRecording(job, JobQueue.RecordingFlag.OVERWRITTEN);
  }

  /**
   * Several recordings: each converted to an MP3 of its own ({@code <uniqueid>.mp3}, {@code
   * <uniqueid>-2.mp3} … in call order), skipping those a previous run converted. The call is
   * flagged short when the files together cover much less than the answered time.
   */
  private Job convertEach(Job claimed, Attempt attempt, List<CallRecording> recordings)
      throws SQLException, InterruptedException, IOException {
    Job job = claimed;
    Instant day = job.call().start() != null ? job.call().start() : job.createdAt();
    attempt.closeRecording();
    List<CallRecording> done = new java.util.ArrayList<>();
    // the same spans by the WAVs' own lengths: what the call's end may be extended by
    List<CallRecording> wavs = new java.util.ArrayList<>();
    for (CallRecording r : recordings) {
      if (r.mp3Path() != null && Files.exists(p.archive().checked(r.mp3Path()))) {
        done.add(r);
        wavs.add(r.converted(r.mp3Path(), wavMillis(p.recordings().resolve(job.call(), r.name()))));
        continue;
      }
      Path wav = p.recordings().resolve(job.call(), r.name());
      String base = r.seq() == 1 ? job.uniqueid() : job.uniqueid() + "-" + r.seq();
      Path mp3 = p.archive().mp3For(base, job.id(), ArchiveRecording.dayOf(day));
      Converted c = convertOne(job, attempt, wav, mp3, job.mp3Path());
      job = c.job();
      ConvertRecording.Mp3 out = c.mp3();
      CallRecording converted = r.converted(out.path().toString(), out.duration().toMillis());
      p.queue().recordingConverted(job, converted);
      done.add(converted);
      wavs.add(r.converted(converted.mp3Path(), c.wavAudio().toMillis()));
      log.debug("converted {} → {} ({} s, {} bytes)", wav.getFileName(), out.path(), out.duration().toSeconds(), out.bytes());
    }
    flagIfShort(job, ShortRecording.covered(done), done.size() + " recordings cover");
    pastCall(ShortRecording.covered(wavs), job);
    p.metrics().counter("postcall.recordings.extra").increment(done.size() - 1);
    return p.queue().progress(job, Stage.CREATE, done.get(0).mp3Path(), job.objectref(), null, lease());
  }

  /** A WAV's audio length by its header; 0 when it cannot be read (it then extends nothing). */
  private static long wavMillis(Path wav) {
    try {
      return WavInfo.read(wav).duration().toMillis();
    } catch (PostcallException e) {
      return 0;
    }
  }

  private Job create(Job claimed, Attempt attempt) throws SQLException {
    Job job = p.queue().withCurrentCall(claimed);
    if (job.mp3Path() != null && (!p.archive().holds(job.mp3Path()) || !Files.exists(Path.of(job.mp3Path()))))
      return convertAgain(job);
    // Back here after a re-conversion: the object exists already.
    if (job.objectref() != null) return p.queue().progress(job, Stage.ATTACH, job.mp3Path(), job.objectref(), null, lease());
    // A create of an earlier run went unanswered: the incident system may still be carrying it out,
    // and a lookup now could miss an object that appears a moment later.
    Instant settled = p.inDoubt().waitUntil(job);
    if (settled != null) {
      p.queue().postpone(job, settled, "a create went unanswered at " + job.createInDoubtAt() + ": not looking the call up before " + settled);
      log.info("a create went unanswered at {}: not looking the call up before {}", job.createInDoubtAt(), settled);
      return null;
    }
    String status = p.statuses().statusFor(job.call());
    // An earlier run may have created the object and lost the response: look before creating.
    boolean look = attempt.earlierRunReachedCreate || job.createInDoubtAt() != null;
    String ref = look ? p.incident().find(job.call().pbxId(), job.uniqueid(), orUnmarked(job)).orElse(null) : null;
    if (ref != null) {
      log.info("object {} already exists (earlier attempt), not creating again", ref);
    } else {
      try {
        ref = p.incident().create(job.call(), status);
      } catch (IncidentException e) {
        // counted from when the client gave up: the server may have received the request just then
        if (CreateInDoubt.unanswered(e)) attempt.unansweredAt = p.clock().instant();
        throw e;
      }
      attempt.createdHere = true; // SoapIncidentSystem logs the object it created (DEBUG)
    }
    return p.queue().progress(job, Stage.ATTACH, job.mp3Path(), ref, null, lease());
  }

  private Job attach(Job job, Attempt attempt) throws SQLException {
    List<Path> files = new java.util.ArrayList<>();
    List<CallRecording> recordings = p.queue().recordings(job);
    if (several(recordings, job)) {
      for (CallRecording r : recordings) {
        if (r.mp3Path() == null || !p.archive().holds(r.mp3Path())) return convertAgain(job);
        files.add(p.archive().checked(r.mp3Path()));
      }
    } else if (job.mp3Path() != null) {
      if (!p.archive().holds(job.mp3Path())) return convertAgain(job);
      files.add(p.archive().checked(job.mp3Path()));
    }
    if (files.isEmpty()) return p.queue().progress(job, Stage.CLEANUP, null, job.objectref(), null, lease());
    for (Path mp3 : files) if (!Files.exists(mp3)) return convertAgain(job);
    // per file: an earlier attempt may have put some of the call's files there before it failed
    List<String> there = attempt.createdHere ? List.of() : p.incident().recordingNames(job.objectref());
    for (Path mp3 : files) {
      String name = mp3.getFileName().toString();
      if (there.contains(name)) {
        log.info("object {} already has {} (earlier attempt)", job.objectref(), name);
        continue;
      }
      try {
        p.incident().attachRecording(job.objectref(), mp3, name);
      } catch (IncidentException e) {
        // the same race as a create's, for the file: the retry asks for the file names only after the settle time
        if (CreateInDoubt.unanswered(e)) attempt.unansweredAt = p.clock().instant();
        throw e;
      }
      p.metrics().counter("postcall.uploads", "kind", "recording").increment(); // logged by SoapIncidentSystem (DEBUG)
    }
    return p.queue().progress(job, Stage.CLEANUP, job.mp3Path(), job.objectref(), p.clock().instant(), lease());
  }

  /**
   * The MP3 is gone (deleted by hand, a lost disk) or another worker's (outside this one's archive:
   * that worker died), but the WAV is still there: back to CONVERT, keeping the object.
   */
  private Job convertAgain(Job job) throws SQLException {
    if (p.archive().holds(job.mp3Path())) log.warn("MP3 {} vanished before upload, converting again", job.mp3Path());
    else log.info("MP3 {} is not in this worker's archive (another worker's): converting again here", job.mp3Path());
    return p.queue().progress(job, Stage.CONVERT, null, job.objectref(), null, lease());
  }

  private Job cleanUp(Job job, Attempt attempt) throws SQLException, IOException {
    List<CallRecording> recordings = p.queue().recordings(job);
    List<String> mp3s = new java.util.ArrayList<>();
    List<Path> wavs = new java.util.ArrayList<>();
    if (several(recordings, job)) {
      for (CallRecording r : recordings) {
        if (r.mp3Path() != null) mp3s.add(r.mp3Path());
        try {
          wavs.add(p.recordings().resolve(job.call(), r.name()));
        } catch (PostcallException e) {
          // not a path of ours to delete
        }
      }
    } else {
      if (job.mp3Path() != null) mp3s.add(job.mp3Path());
      try {
        wavs.add(p.recordings().resolve(job.call()));
      } catch (PostcallException e) {
        // a call delivered without a usable recording path: nothing of ours to delete
      }
    }
    for (String mp3 : mp3s) {
      try {
        p.archive().cleanUp(p.archive().checked(mp3));
      } catch (PostcallException e) {
        // the call is delivered; a path the database now points elsewhere is simply not touched
        log.warn("MP3 not deleted: {}", e.getMessage());
      }
    }
    if (p.archive().deletesWav()) for (Path wav : wavs) deleteWav(job, attempt, wav);
    Instant reconcileAt = null;
    if (p.inDoubt().needsReconcile(job)) {
      reconcileAt = p.inDoubt().reconcileAt();
      p.queue().awaitReconcile(job, reconcileAt, "delivered as " + job.objectref() + "; a create went unanswered at "
          + job.createInDoubtAt() + ": looking for a second object at " + reconcileAt);
    } else {
      p.queue().done(job);
    }
    p.metrics().counter("postcall.delivered").increment();
    attempt.delivered = job;
    attempt.reconcileAt = reconcileAt;
    return null;
  }

  /** The call's one INFO line of delivery: where it went, how long after hangup, each step's time. */
  private void logDelivered(Attempt attempt) {
    Job job = attempt.delivered;
    Duration since = job.call().end() != null ? Duration.between(job.call().end(), p.clock().instant()) : null;
    StringBuilder steps = new StringBuilder();
    attempt.nanos.forEach((stage, ns) -> steps.append(steps.isEmpty() ? "" : ", ")
        .append(stage.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(ns / 1_000_000).append(" ms"));
    log.info("delivered as {}{}{} ({}){}", job.objectref(),
        job.mp3Path() == null && answered(job.call()) ? " WITHOUT a recording" : "",
        since == null ? "" : " " + since.toMillis() + " ms after hangup", steps, attempt.reconcileAt == null ? "" : "; a create went unanswered, looking for a second object at " + attempt.reconcileAt);
  }

  /**
   * A delivered call one of whose creates went unanswered: the incident system may have carried
   * that create out after the retry made the object postcall delivered to. Every object with the
   * uniqueid is listed; any other one (it has no file: postcall attaches only to its own) is removed.
   */
  private Job reconcile(Job job) throws SQLException {
    String uid = job.uniqueid();
    List<String> found = p.incident().list(job.call().pbxId(), uid, orUnmarked(job));
    CreateInDoubt.Plan plan = CreateInDoubt.plan(job.objectref(), found, p.incident()::hasRecording);
    if (plan.needsAdmin()) {
      String why = plan.oursMissing()
          ? "delivered as " + job.objectref() + ", but the incident system lists " + found + " for this call: nothing removed"
          : "objects " + plan.othersWithFiles() + " carry this call too and have files (delivered as " + job.objectref()
              + "): nothing removed";
      throw new PostcallException(why, false);
    }
    for (String other : plan.remove()) {
      p.incident().remove(other, "second object for call " + uid + ": a create that went unanswered was carried out after "
          + job.objectref() + " was made; " + job.objectref() + " holds the call and its recording");
      p.metrics().counter("postcall.incident.duplicates.removed").increment();
      log.warn("removed duplicate object {}: a create that went unanswered was carried out late; the call and "
          + "its recording are on {}", other, job.objectref());
    }
    String note = plan.remove().isEmpty() ? "no second object" : "removed duplicate object(s) " + plan.remove()
        + "; the call and its recording are on " + job.objectref();
    p.queue().done(job, note);
    log.info("checked for a second object: {}", note);
    return null;
  }

  /**
   * Only the file that was converted: the one this run holds open if the name still points at it;
   * after a restart, a regular file (no symlink on the way) not written since the upload.
   */
  private void deleteWav(Job job, Attempt attempt, Path wav) throws IOException {
    boolean deleted;
    OpenRecording held = attempt.opened(wav);
    if (held != null) {
      deleted = held.deleteIfUnchanged();
    } else {
      Instant uploaded = job.attachedAt() != null ? job.attachedAt() : p.clock().instant();
      deleted = OpenRecording.deleteIfNotModifiedAfter(p.recordings().rootOf(job.call()), wav, uploaded);
    }
    if (!deleted && Files.exists(wav, java.nio.file.LinkOption.NOFOLLOW_LINKS))
      log.warn("recording {} NOT deleted: it is no longer the file that was converted", wav);
  }

  /**
   * {@code unansweredAt}: when this attempt's create or addFile went unanswered, else null. Either
   * way the retry waits out the settle time; an unanswered create is also stored (reconcile, restarts).
   */
  private void onError(Job job, String message, boolean retryable, Exception e, Instant unansweredAt) {
    String reason = job.stage() + ": " + message;
    Instant createUnansweredAt = job.stage() == Stage.CREATE ? unansweredAt : null;
    try {
      Duration age = Duration.between(job.createdAt(), p.clock().instant());
      boolean exhausted = job.attempts() >= p.workerCfg().maxAttempts() || age.compareTo(p.recordingsCfg().maxAge()) > 0;
      if (retryable && !exhausted) {
        Instant at = p.clock().instant().plus(p.backoff().after(job.attempts()));
        if (unansweredAt != null) {
          at = p.inDoubt().retryAt(at, unansweredAt);
          reason += " (the incident system may still carry it out: not looking " + (createUnansweredAt != null ? "the call" : "the file")
              + " up before " + at + ")";
        }
        p.queue().retryLater(job, at, reason, createUnansweredAt);
        log.warn("attempt {} failed, retry at {}: {}", job.attempts(), at, reason);
      } else {
        String why = retryable ? reason + " (gave up after " + job.attempts() + " attempts)" : reason;
        p.queue().fail(job, why, createUnansweredAt);
        p.metrics().counter("postcall.failures", "stage", job.stage().name()).increment();
        log.error("FAILED: {}", why, e instanceof PostcallException ? null : e);
      }
    } catch (LeaseLostException lost) {
      log.warn("{}", lost.getMessage());
    } catch (SQLException sql) {
      log.warn("could not record failure ({}); the job returns after its lease: {}", sql.getMessage(), reason);
    }
  }

  private void release(Job job, String why) {
    try {
      p.queue().postpone(job, p.clock().instant(), why);
      log.info("released ({}) at stage {}", why, job.stage());
    } catch (SQLException | RuntimeException e) {
      log.warn("could not release ({}); the job returns after its lease", e.getMessage());
    }
  }

  private Duration lease() {
    return p.workerCfg().lease();
  }

  /** Answered calls must have audio; DIALSTATUS is reliable, CDR disposition inside `h` is not. */
  static boolean answered(CallRecord c) {
    if (c.dialStatus() != null && !c.dialStatus().isBlank()) return "ANSWER".equalsIgnoreCase(c.dialStatus());
    return c.answer() != null || "ANSWERED".equalsIgnoreCase(c.disposition());
  }
}
