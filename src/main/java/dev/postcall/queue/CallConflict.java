package dev.postcall.queue;

import dev.postcall.call.CallRecord;

import java.util.List;

/**
 * A hangup postcall did not merge into the call it names: the version {@code kept} (stored first)
 * and the one {@code rejected}, with the fields they disagree on.
 */
public record CallConflict(String uniqueid, Kind kind, List<String> fields, CallRecord kept, CallRecord rejected) {

  public enum Kind {
    /** A second hangup for a stored uniqueid disagrees with the first (channel, caller, start, recording). */
    HANGUP_DIFFERS,
    /** The recording is named, by recordings.pattern, after another call's uniqueid: stored without it. */
    RECORDING_OF_ANOTHER_CALL,
    /** The recording is already another call's: stored without it. */
    RECORDING_CLAIMED
  }

  public CallConflict {
    fields = List.copyOf(fields);
  }
}
