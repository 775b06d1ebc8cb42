package dev.postcall.admin;

import dev.postcall.queue.JobState;
import java.time.Instant;
import java.util.Map;

/**
 * The queue at a glance: jobs per state, per state and stage (the failed stage for FAILED jobs),
 * the oldest call still waiting for delivery, and deliveries in the last hour and day.
 */
public record QueueStats(Map<String, Long> byState, Map<String, Map<String, Long>> byStateAndStage,
    Instant oldestPending, long deliveredLastHour, long deliveredLastDay) {

  public long count(JobState state) {
    return count(state.name());
  }

  public long count(String state) {
    return byState.getOrDefault(state, 0L);
  }
}
