package dev.postcall.call;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How an admin names a call: its uniqueid, and its PBX when the uniqueid alone is ambiguous (two
 * PBXs' calls may share one). Written {@code uniqueid@pbx} in the admin pages' links and forms;
 * {@code pbxId} null means "whichever PBX has it", refused when several do.
 */
public record CallRef(String pbxId, String uniqueid) {
  private static final Pattern PBX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public static CallRef of(CallRecord.Key key) {
    return new CallRef(key.pbxId(), key.uniqueid());
  }

  /** {@code uniqueid@pbx} (the last {@code @}, followed by a valid pbx id) or a bare uniqueid. */
  public static CallRef parse(String s) {
    int at = s.lastIndexOf('@');
    if (at > 0 && PBX.matcher(s.substring(at + 1)).matches()) return new CallRef(s.substring(at + 1), s.substring(0, at));
    return new CallRef(null, s);
  }

  /** The form {@link #parse} reads back; a call stored before calls carried a PBX has none. */
  @Override
  public String toString() {
    return pbxId == null || pbxId.isEmpty() ? uniqueid : uniqueid + "@" + pbxId;
  }

  /** The uniqueid is a call of several PBXs and no PBX was named. */
  public static final class AmbiguousException extends IllegalArgumentException {
    private final List<String> pbxIds;

    public AmbiguousException(String uniqueid, List<String> pbxIds) {
      super("uniqueid " + uniqueid + " is a call of several PBXs (" + String.join(", ", pbxIds) + "): name the PBX"
          + " (--pbx, or uniqueid@pbx)");
      this.pbxIds = List.copyOf(pbxIds);
    }

    public List<String> pbxIds() {
      return pbxIds;
    }
  }
}
