package dev.postcall.queue;

import java.time.Instant;

/**
 * What a channel's uniqueid and linkedid say. Asterisk writes a uniqueid as {@code
 * [systemname-]EPOCH.SEQUENCE}: EPOCH is the second the channel was created (UTC, from the PBX's
 * clock) and SEQUENCE counts channels since Asterisk started; the linkedid is the uniqueid of the
 * first channel of the call.
 */
public final class Uniqueids {
  private Uniqueids() {}

  /** The second the channel was created, or null when the uniqueid has no such form. */
  public static Instant created(String uniqueid) {
    long[] p = parts(uniqueid);
    return p == null ? null : Instant.ofEpochSecond(p[0]);
  }

  /**
   * Whether the channel is a callee leg of someone else's call rather than a call of its own: its
   * uniqueid is not its linkedid, and it is not the {@code ;2} half of an originated Local channel
   * (whose {@code ;1} half, created just before it, holds the linkedid: same second, sequence one
   * lower). Unknown linkedid: not a leg (nothing to tell it by).
   */
  public static boolean isLeg(String uniqueid, String linkedid, String channel) {
    if (uniqueid == null || linkedid == null || linkedid.isBlank() || uniqueid.equals(linkedid)) return false;
    return !(isLocalTwo(channel) && createdJustBefore(linkedid, uniqueid));
  }

  /** The {@code ;2} half of a Local channel: the half that runs the dialplan. */
  public static boolean isLocalTwo(String channel) {
    return channel != null && channel.startsWith("Local/") && channel.endsWith(";2");
  }

  private static boolean createdJustBefore(String earlier, String later) {
    long[] a = parts(earlier);
    long[] b = parts(later);
    if (a == null || b == null) return false;
    String pa = prefix(earlier);
    // the two halves are named one after the other, which may straddle a second
    return pa.equals(prefix(later)) && (a[0] == b[0] || a[0] + 1 == b[0]) && a[1] + 1 == b[1];
  }

  private static String prefix(String uniqueid) {
    int dash = uniqueid.lastIndexOf('-');
    return dash < 0 ? "" : uniqueid.substring(0, dash);
  }

  /** {epoch, sequence}, or null. */
  private static long[] parts(String uniqueid) {
    if (uniqueid == null) return null;
    String u = uniqueid.substring(uniqueid.lastIndexOf('-') + 1);
    int dot = u.indexOf('.');
    if (dot <= 0 || dot == u.length() - 1 || dot > 12) return null;
    try {
      long epoch = Long.parseLong(u.substring(0, dot));
      long seq = Long.parseLong(u.substring(dot + 1));
      // 2001-09-09 .. 2286: a uniqueid of another form is no creation time
      return epoch < 1_000_000_000L || epoch > 9_999_999_999L || seq < 0 ? null : new long[] {epoch, seq};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
