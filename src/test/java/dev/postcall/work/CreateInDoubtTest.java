package dev.postcall.work;

import dev.postcall.CallBuilder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.incident.IncidentException;
import dev.postcall.incident.IncidentException.Outcome;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.Job;
import dev.postcall.queue.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settle and reconcile decisions, with time moved by the test. */
class CreateInDoubtTest {
  static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final CreateInDoubt rules = new CreateInDoubt(Duration.ofSeconds(12), Duration.ofSeconds(24), clock);

  static Job job(Instant unansweredAt) {
    CallRecord c = CallBuilder.agi("9.9").caller("1").extension("2").context("rig").duration(1).billsec(0)
        .disposition("ANSWERED").dialStatus("ANSWER").build();
    return new Job(1, 1, Stage.CREATE, 1, 1, null, null, null, T0, c, unansweredAt);
  }

  @Test
  void only_a_sent_but_unanswered_request_is_in_doubt() {
    assertTrue(CreateInDoubt.unanswered(new IncidentException("timed out", true, null, Outcome.UNKNOWN, null)));
    assertFalse(CreateInDoubt.unanswered(new IncidentException("refused", true, null, Outcome.NOT_SENT, null)));
    assertFalse(CreateInDoubt.unanswered(new IncidentException("fault", false, "VALIDATION", Outcome.ANSWERED, null)));
    assertFalse(CreateInDoubt.unanswered(new IllegalStateException("not from the incident system")));
  }

  @Test
  void a_job_never_in_doubt_never_waits_nor_reconciles() {
    assertNull(rules.waitUntil(job(null)));
    assertFalse(rules.needsReconcile(job(null)));
  }

  @Test
  void a_job_in_doubt_waits_until_the_settle_time_has_passed_since_the_unanswered_create() {
    Job j = job(T0);
    assertEquals(T0.plusSeconds(12), rules.waitUntil(j));
    clock.advance(Duration.ofMillis(11_999));
    assertEquals(T0.plusSeconds(12), rules.waitUntil(j));
    clock.advance(Duration.ofMillis(1));
    assertNull(rules.waitUntil(j));
    assertTrue(rules.needsReconcile(j));
  }

  @Test
  void retry_comes_at_the_later_of_backoff_and_settle() {
    assertEquals(T0.plusSeconds(12), rules.retryAt(T0.plusSeconds(2), T0));
    assertEquals(T0.plusSeconds(60), rules.retryAt(T0.plusSeconds(60), T0));
  }

  @Test
  void reconcile_is_due_its_delay_after_now() {
    clock.advance(Duration.ofSeconds(100));
    assertEquals(T0.plusSeconds(124), rules.reconcileAt());
  }

  @Test
  void plan_keeps_ours_and_removes_others_without_files() {
    CreateInDoubt.Plan p = CreateInDoubt.plan("or-2", List.of("or-1", "or-2", "or-3"), ref -> false);
    assertEquals(List.of("or-1", "or-3"), p.remove());
    assertFalse(p.needsAdmin());
  }

  @Test
  void plan_with_only_ours_removes_nothing() {
    CreateInDoubt.Plan p = CreateInDoubt.plan("or-2", List.of("or-2"), ref -> true);
    assertEquals(List.of(), p.remove());
    assertFalse(p.needsAdmin());
  }

  @Test
  void plan_removes_nothing_when_another_object_has_a_file() {
    Set<String> withFiles = Set.of("or-2", "or-3");
    CreateInDoubt.Plan p = CreateInDoubt.plan("or-2", List.of("or-1", "or-2", "or-3"), withFiles::contains);
    assertEquals(List.of(), p.remove());
    assertEquals(List.of("or-3"), p.othersWithFiles());
    assertTrue(p.needsAdmin());
  }

  @Test
  void plan_removes_nothing_when_ours_is_not_listed() {
    CreateInDoubt.Plan p = CreateInDoubt.plan("or-2", List.of("or-1"), ref -> false);
    assertEquals(List.of(), p.remove());
    assertTrue(p.oursMissing());
    assertTrue(p.needsAdmin());
  }
}
