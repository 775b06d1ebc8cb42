package dev.postcall.admin;

import dev.postcall.MutableClock;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/** Puts calls into the queue the way the pipeline does: insert, claim, progress, fail or deliver. */
public final class Seed {
  private final CallStore calls;
  private final JobQueue queue;
  private final MutableClock clock;
  private final DataSource ds;

  public Seed(DataSource ds, MutableClock clock) {
    this.ds = ds;
    this.calls = new CallStore(ds);
    this.queue = new JobQueue(ds, clock);
    this.clock = clock;
  }

  public static CallRecord call(String uid, String caller, String called, Instant start) {
    return call(dev.postcall.config.PostcallConfig.Pbx.defaultId(), uid, caller, called, start);
  }

  public static CallRecord call(String pbxId, String uid, String caller, String called, Instant start) {
    return new CallRecord(uid, uid, "SIP/trunk-0001", "SIP/" + called + "-0002", caller, "Caller " + caller, called,
        "from-trunk", start, start.plusSeconds(3), start.plusSeconds(63), 63, 60, "ANSWERED", "ANSWER", null, null,
        null, CallRecord.Source.AGI, pbxId);
  }

  /** A call that failed in {@code stage} with {@code error}. */
  public void failed(String uid, String caller, Instant start, Stage stage, String error) throws Exception {
    failed(dev.postcall.config.PostcallConfig.Pbx.defaultId(), uid, caller, start, stage, error);
  }

  /** The same, seen by PBX {@code pbxId} (uniqueids are only unique per PBX). */
  public void failed(String pbxId, String uid, String caller, Instant start, Stage stage, String error) throws Exception {
    Instant at = clock.instant();
    calls.insert(call(pbxId, uid, caller, "201", start));
    Job j = claim(uid);
    if (stage != Stage.WAIT) j = queue.progress(j, stage, null, null, null, Duration.ofMinutes(5));
    queue.fail(j, error);
    stamp(uid, at, false);
    clock.advance(Duration.ofSeconds(1));
  }

  /** A call that was delivered. */
  public void delivered(String uid, String caller, Instant start) throws Exception {
    Instant at = clock.instant();
    calls.insert(call(uid, caller, "201", start));
    queue.done(claim(uid));
    stamp(uid, at, true);
    clock.advance(Duration.ofSeconds(1));
  }

  public void pending(String uid, String caller, Instant start) throws Exception {
    Instant at = clock.instant();
    calls.insert(call(uid, caller, "201", start));
    stamp(uid, at, false);
  }

  /**
   * The queue writes its times on the database's clock; the seed dates the job at its own clock's
   * {@code at} instead, so that tests can move time by hand.
   */
  private void stamp(String uid, Instant at, boolean done) throws Exception {
    try (var c = ds.getConnection(); var ps = c.prepareStatement("UPDATE jobs j JOIN calls c ON c.id = j.call_id"
        + " SET j.created_at = ?, j.updated_at = ?, j.done_at = CASE WHEN ? THEN ? ELSE j.done_at END WHERE c.uniqueid = ?")) {
      dev.postcall.db.Sql.setInstant(ps, 1, at);
      dev.postcall.db.Sql.setInstant(ps, 2, at);
      ps.setBoolean(3, done);
      dev.postcall.db.Sql.setInstant(ps, 4, at);
      ps.setString(5, uid);
      ps.executeUpdate();
    }
  }

  public void withMp3(String uid, String mp3Path) throws Exception {
    calls.insert(call(uid, "555", "201", clock.instant()));
    queue.progress(claim(uid), Stage.CREATE, mp3Path, null, null, Duration.ofMinutes(5));
  }

  private Job claim(String uid) throws Exception {
    // Claims go by the database's clock, oldest due first: due long ago, this call is the one claimed
    // even when pending calls seeded earlier are due too.
    try (var c = ds.getConnection(); var ps = c.prepareStatement("UPDATE jobs j JOIN calls c ON c.id = j.call_id"
        + " SET j.next_attempt_at = TIMESTAMP('2000-01-01') WHERE c.uniqueid = ?")) {
      ps.setString(1, uid);
      ps.executeUpdate();
    }
    List<Job> jobs = queue.claim("seed", 1, Duration.ofMinutes(5));
    if (jobs.size() != 1 || !jobs.get(0).uniqueid().equals(uid))
      throw new IllegalStateException("expected to claim " + uid + ", got " + jobs);
    return jobs.get(0);
  }

  public JobQueue queue() {
    return queue;
  }
}
