package dev.postcall.queue;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The steps of a delivery job, in order. A job's {@code stage} is the next step to run. */
public enum Stage {
  /** Wait until Asterisk has closed the WAV. */
  WAIT,
  /** WAV → MP3. */
  CONVERT,
  /** Create the call object at the incident system (or find the one a lost response created). */
  CREATE,
  /** Attach the MP3 to the object. */
  ATTACH,
  /** Archive the MP3, delete the WAV. */
  CLEANUP,
  /**
   * Only after a create that went unanswered, due incident.reconcile-after past delivery: look the
   * call up once more and remove any second object the unanswered request made after all.
   */
  RECONCILE,
  DONE;

  public static Stage first() {
    return WAIT;
  }

  /**
   * Whether the incident system may have (or be about to get) the call's values, from its job's
   * stage and state: a job before CREATE that is not DONE, or at CREATE but not claimed yet, will
   * still read the call row before it creates the object (the worker re-reads it at CREATE). A call
   * without a job ({@code stage} null) has not started.
   */
  public static boolean uploadStarted(Stage stage, JobState state) {
    if (stage == null) return false;
    return switch (stage) {
      case WAIT, CONVERT -> state == JobState.DONE;
      case CREATE -> state != JobState.PENDING;
      default -> true;
    };
  }

  /**
   * {@link #uploadStarted} negated, as SQL over a job aliased {@code j}, listing the pairs it says
   * no to; bind them with {@link #bindUploadNotStarted}.
   */
  static final String UPLOAD_NOT_STARTED_SQL;

  private static final List<Map.Entry<Stage, JobState>> NOT_STARTED = new ArrayList<>();

  static {
    for (Stage stage : values()) {
      for (JobState state : JobState.values()) if (!uploadStarted(stage, state)) NOT_STARTED.add(Map.entry(stage, state));
    }
    UPLOAD_NOT_STARTED_SQL = "(j.stage, j.state) IN (" + String.join(", ", Collections.nCopies(NOT_STARTED.size(), "(?, ?)")) + ")";
  }

  /** Binds {@link #UPLOAD_NOT_STARTED_SQL}'s parameters from index {@code from}; returns the next index. */
  static int bindUploadNotStarted(PreparedStatement ps, int from) throws SQLException {
    int i = from;
    for (Map.Entry<Stage, JobState> e : NOT_STARTED) {
      ps.setString(i++, e.getKey().name());
      ps.setString(i++, e.getValue().name());
    }
    return i;
  }
}
