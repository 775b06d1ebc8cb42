package dev.postcall.admin;

import dev.postcall.call.CallRecord;
import dev.postcall.queue.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One call: every CDR field (its timing), the path that brought it, the status it maps to, its
 * job, every delivery attempt, Master.csv's corrections, conflicts, and the recording.
 */
final class CallPage {
  record Field(String name, String value) {}

  record View(String uniqueid, String message, List<Field> cdr, String paths, String outcome, String status,
      List<Field> job, boolean canRetry, boolean canDiscard, String recordingPath, boolean playable, String recordingFlags,
      List<CallDetail.Attempt> history, List<CallDiscrepancies.Correction> corrections,
      List<CallDiscrepancies.Conflict> conflicts, String ref) {}

  private CallPage() {}

  static View view(CallDetail d, String status, Optional<Path> recording, String message,
      List<CallDiscrepancies.Correction> corrections, List<CallDiscrepancies.Conflict> conflicts) {
    CallRecord c = d.call();
    List<Field> cdr = List.of(f("uniqueid", c.uniqueid()), f("pbx", c.pbxId()), f("linkedid", c.linkedid()), f("channel", c.channel()),
        f("dstchannel", c.dstChannel()), f("answered by", c.agent()), f("caller number", c.callerNumber()), f("caller name", c.callerName()),
        f("extension", c.extension()), f("context", c.context()), f("start (UTC)", Format.time(c.start())),
        f("answer (UTC)", Format.time(c.answer())), f("end (UTC)", Format.time(c.end())), f("duration (s)", c.duration()),
        f("billsec (s)", c.billsec()), f("disposition", c.disposition()), f("DIALSTATUS", c.dialStatus()),
        f("recording", c.recording()), f("accountcode", c.accountcode()), f("userfield", c.userfield()),
        f("source", c.source()), f("received (UTC)", Format.time(d.receivedAt())));
    List<Field> job = List.of(f("state", d.state()), f("next stage", d.stage()), f("failed in stage", d.failedStage()),
        f("attempts", d.attempts()), f("next attempt (UTC)", Format.time(d.nextAttemptAt())), f("last error", d.lastError()),
        f("incident object", d.objectref()), f("MP3", d.mp3Path()), f("discarded by", d.discardedBy()),
        f("discard reason", d.discardReason()), f("delivered (UTC)", Format.time(d.doneAt())));
    boolean failed = JobState.FAILED.name().equals(d.state());
    boolean discarded = JobState.DISCARDED.name().equals(d.state());
    boolean playable = recording.isPresent() && Files.isRegularFile(recording.get());
    return new View(c.uniqueid(), message, cdr, paths(c, corrections), c.outcome(), status, job, failed || discarded, failed,
        recording.map(Path::toString).orElse(null), playable, d.recordingFlags().describe(), d.history(), corrections, conflicts,
        dev.postcall.call.CallRef.of(c.key()).toString());
  }

  /** Which path stored the call, and whether Master.csv later told a different timing. */
  static String paths(CallRecord c, List<CallDiscrepancies.Correction> corrections) {
    String first = c.source() == CallRecord.Source.AGI ? "AGI (captured at hangup)" : "Master.csv (backfill)";
    if (corrections.isEmpty()) return first;
    return first + "; Master.csv saw it too and corrected its timing " + corrections.size() + " time(s)";
  }

  private static Field f(String name, Object value) {
    return new Field(name, value == null ? "" : value.toString());
  }
}
