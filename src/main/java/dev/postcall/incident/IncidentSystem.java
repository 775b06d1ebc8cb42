package dev.postcall.incident;

import dev.postcall.call.CallRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The incident/ticket system calls are delivered to (the seam between postcall and the SOAP API).
 * Every method may throw {@link IncidentException}; its {@code retryable()} says whether the worker
 * should try again later (connection refused, timeout, HTTP 5xx, a fault configured as transient)
 * or fail the job at once (validation fault, login refused).
 */
public interface IncidentSystem {

  /**
   * The object created earlier for this call, if any: how a retry after a lost response avoids a
   * second create. A call is named by its PBX and its uniqueid (uniqueids repeat across PBXs): an
   * object matches when it carries both. With {@code orUnmarked}, an object carrying the uniqueid and
   * no PBX at all (created before postcall sent the PBX) matches too — the worker asks that only for
   * calls of its own pbx.id, the PBX a single-PBX installation always had.
   */
  Optional<String> find(String pbxId, String uniqueid, boolean orUnmarked);

  /**
   * Every object of this call (matched as {@link #find} does), oldest first: more than one means a
   * create that timed out was carried out after all, next to the one a retry made.
   */
  List<String> list(String pbxId, String uniqueid, boolean orUnmarked);

  /** Removes an object postcall created twice; {@code reason} goes to the incident system's audit. False if it was gone already. */
  boolean remove(String objectref, String reason);

  /** Creates the call object with the mapped status and returns its objectref id. */
  String create(CallRecord call, String status);

  /** Whether the object already has a file under the recording attribute (a lost addFile response). */
  boolean hasRecording(String objectref);

  /**
   * The names of the files the object holds under the recording attribute: which of a call's
   * recordings a lost addFile response may already have put there.
   */
  List<String> recordingNames(String objectref);

  /** Attaches the MP3 to the object, streamed (MTOM), never read whole into memory. */
  void attachRecording(String objectref, Path mp3, String fileName);

  /** Cheap reachability check for /ready: true when a login (or a no-op call) succeeds. */
  boolean reachable();
}
