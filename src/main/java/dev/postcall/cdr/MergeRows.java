package dev.postcall.cdr;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the rows of one call. For a caller Asterisk often writes two rows with the same uniqueid:
 * the Dial row when Dial returns (BUSY, NO ANSWER, CONGESTION…) and a Hangup row when the channel
 * hangs up (FAILED, duration 0); with {@code endbeforehexten=no} also an {@code h} row. The rule:
 * <ul>
 *   <li>earliest start, earliest answer, latest end, the largest duration and billsec (the rows
 *       are consecutive parts of one channel's life; the tail rows report 0 seconds);
 *   <li>every other field — disposition, dst, dstchannel, lastapp — from the <em>lead row</em>: the
 *       Dial row if there is one, else a row whose dst is not {@code h} and whose disposition is
 *       not FAILED, else any non-{@code h} row, else the first row.
 * </ul>
 * Rows without a uniqueid (cdr.conf without {@code loguniqueid}) are keyed by channel + start +
 * src + dst instead — see {@link #key(CdrRow)}.
 */
public final class MergeRows {
  private MergeRows() {}

  /** Merges rows sharing a key, keeping the order in which keys first appear. */
  public static List<Merged> merge(List<CdrRow> rows) {
    Map<String, CdrRow> byKey = new LinkedHashMap<>();
    for (CdrRow r : rows) byKey.merge(key(r), r, MergeRows::merge);
    List<Merged> out = new ArrayList<>(byKey.size());
    byKey.forEach((k, r) -> out.add(new Merged(k, r)));
    return out;
  }

  public record Merged(String key, CdrRow row) {}

  static CdrRow merge(CdrRow a, CdrRow b) {
    CdrRow lead = rank(b) > rank(a) ? b : a;
    return new CdrRow(lead.accountcode(), lead.src(), lead.dst(), lead.dcontext(), lead.clid(), lead.channel(),
        lead.dstchannel(), lead.lastapp(), lead.lastdata(), min(a.start(), b.start()), min(a.answer(), b.answer()),
        max(a.end(), b.end()), Math.max(a.duration(), b.duration()), Math.max(a.billsec(), b.billsec()),
        lead.disposition(), lead.amaflags(), lead.uniqueid(), lead.userfield(), lead.peeraccount(), lead.linkedid(),
        lead.sequence());
  }

  private static int rank(CdrRow r) {
    if (r.isDialRow()) return 3;
    if ("h".equals(r.dst())) return 0;
    return "FAILED".equals(r.disposition()) ? 1 : 2;
  }

  /**
   * The call's key: its uniqueid, or without one {@code csv-} + SHA-256 of channel, start, src and
   * dst (a channel name is unique at any moment, so together with the start second it names one
   * call). Such calls cannot be matched with the AGI path's, which knows the uniqueid: enable
   * {@code loguniqueid} in cdr.conf.
   */
  public static String key(CdrRow r) {
    if (r.hasUniqueid()) return r.uniqueid();
    String basis = r.channel() + '\n' + r.start().getEpochSecond() + '\n' + r.src() + '\n' + r.dst();
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(basis.getBytes(StandardCharsets.UTF_8));
      return "csv-" + HexFormat.of().formatHex(h, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }
}
