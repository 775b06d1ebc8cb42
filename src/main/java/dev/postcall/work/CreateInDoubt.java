package dev.postcall.work;

import dev.postcall.incident.IncidentException;
import dev.postcall.queue.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The rules for a create that was sent and not answered. Looking the call up at once cannot tell
 * "never created" from "still being created": the server may be holding the request and carry it
 * out after the lookup. So the job waits {@code settle} from the unanswered create before it looks
 * (and creates, if nothing is there); and because a server can hold a request longer than anyone
 * configured, the call is looked up once more {@code reconcileAfter} past delivery.
 */
final class CreateInDoubt {
  private final Duration settle;
  private final Duration reconcileAfter;
  private final Clock clock;

  CreateInDoubt(Duration settle, Duration reconcileAfter, Clock clock) {
    this.settle = settle;
    this.reconcileAfter = reconcileAfter;
    this.clock = clock;
  }

  /** Whether the request may still be carried out by the incident system (it was sent, no answer came). */
  static boolean unanswered(Throwable e) {
    return e instanceof IncidentException ie && ie.outcome() == IncidentException.Outcome.UNKNOWN;
  }

  /** Until when the job must not look the call up nor create it; null when it may now. */
  Instant waitUntil(Job job) {
    if (job.createInDoubtAt() == null) return null;
    Instant until = job.createInDoubtAt().plus(settle);
    return clock.instant().isBefore(until) ? until : null;
  }

  /** When to try again after a create that went unanswered at {@code unansweredAt}: the later of the backoff and the settle time. */
  Instant retryAt(Instant backoffAt, Instant unansweredAt) {
    Instant settled = unansweredAt.plus(settle);
    return settled.isAfter(backoffAt) ? settled : backoffAt;
  }

  /** A delivered job looks for a second object only if one of its creates went unanswered. */
  boolean needsReconcile(Job job) {
    return job.createInDoubtAt() != null;
  }

  Instant reconcileAt() {
    return clock.instant().plus(reconcileAfter);
  }

  /**
   * What to do with the objects found for a delivered call. {@code ours} holds the call's recording
   * and is the objectref postcall logged and stored: it stays. Another one without a file is what a
   * late create left behind: removed. Another one with a file, or ours not among them, is not
   * something postcall made this way: nothing is removed and an admin decides.
   */
  record Plan(List<String> remove, List<String> othersWithFiles, boolean oursMissing) {
    boolean needsAdmin() {
      return oursMissing || !othersWithFiles.isEmpty();
    }
  }

  static Plan plan(String ours, List<String> found, Predicate<String> hasFile) {
    if (!found.contains(ours)) return new Plan(List.of(), List.of(), true);
    List<String> remove = new ArrayList<>();
    List<String> withFiles = new ArrayList<>();
    for (String ref : found) {
      if (ref.equals(ours)) continue;
      if (hasFile.test(ref)) withFiles.add(ref);
      else remove.add(ref);
    }
    if (!withFiles.isEmpty()) return new Plan(List.of(), List.copyOf(withFiles), false);
    return new Plan(List.copyOf(remove), List.of(), false);
  }
}
