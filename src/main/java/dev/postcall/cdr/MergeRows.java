package dev.postcall.cdr;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the rows of one call. For a caller Asterisk often writes two rows with the same uniqueid:
 * the Dial row when Dial returns (BUSY, NO ANSWER, CONGESTION…) and a Hangup row when the channel
 * hangs up (FAILED, duration 0); with {@code endbeforehexten=no} also an {@code h} row. The rule:
 * <ul>
 *   <li>the whole call's timing ({@link #whole}): earliest start, earliest answer, latest end; the
 *       duration is the longest row's when every row starts in the first row's second (one part,
 *       or the parallel rows of a ring group or queue: one per party rung), else
 *       the last end's second minus the first start's second; billsec the sum of the rows'
 *       (the answered parts) — the figures the AGI path computes from the uniqueid and the last part;
 *   <li>the disposition ANSWERED when any part was answered (a queue writes a row per member rung,
 *       most NO ANSWER; a transfer's parts each their own);
 *   <li>dst the number dialled first: the first part's (in Asterisk's order) that is neither
 *       {@code s} nor {@code h} — a Bridge() after a redirect leaves a last part with dst {@code s};
 *   <li>every other field — dstchannel, lastapp — from the <em>lead row</em>: an answered Dial row
 *       if there is one, else an answered row, else a Dial row, else a row whose dst is not
 *       {@code h} and whose disposition is not FAILED, else any non-{@code h} row, else the first —
 *       except that an answered lead row without a dstchannel (a caller answered before Queue())
 *       takes the dstchannel of the first answered row that has one: the answering agent's.
 * </ul>
 * Rows without a uniqueid (cdr.conf without {@code loguniqueid}) are keyed by channel + start +
 * src + dst instead — see {@link #key(CdrRow)}.
 */
public final class MergeRows {
  private MergeRows() {}

  /** Merges rows sharing a key, keeping the order in which keys first appear. */
  public static List<Merged> merge(List<CdrRow> rows) {
    Map<String, List<CdrRow>> byKey = new LinkedHashMap<>();
    for (CdrRow r : rows) byKey.computeIfAbsent(key(r), k -> new ArrayList<>(2)).add(r);
    List<Merged> out = new ArrayList<>(byKey.size());
    byKey.forEach((k, rs) -> out.add(new Merged(k, whole(rs))));
    return out;
  }

  /** One row for a call's rows: the lead row's fields with the whole call's timing. */
  static CdrRow whole(List<CdrRow> rows) {
    if (rows.size() == 1) return rows.get(0);
    List<CdrRow> parts = new ArrayList<>(rows);
    // the order Asterisk created the parts in: sequence (newcdrcolumns), else start; stable for ties
    parts.sort(Comparator.comparing((CdrRow r) -> r.sequence() == null ? Integer.MAX_VALUE : r.sequence())
        .thenComparing(CdrRow::start, Comparator.nullsLast(Comparator.naturalOrder())));
    CdrRow lead = rows.get(0);
    Instant start = null, answer = null, end = null;
    int billsec = 0, maxDuration = 0;
    for (CdrRow r : rows) {
      if (rank(r) > rank(lead)) lead = r;
      start = min(start, r.start());
      answer = min(answer, r.answer());
      end = max(end, r.end());
      billsec += r.billsec();
      maxDuration = Math.max(maxDuration, r.duration());
    }
    boolean onePart = start != null && parts.stream().allMatch(r -> r.start() != null
        && r.start().getEpochSecond() == parts.get(0).start().getEpochSecond());
    // one part, or parallel forks of one Dial/Queue (a row per party rung): the longest is the call
    int duration = onePart ? maxDuration
        : start != null && end != null ? (int) (end.getEpochSecond() - start.getEpochSecond()) : maxDuration;
    CdrRow first = parts.stream().filter(r -> dialled(r.dst())).findFirst().orElse(lead);
    String dstchannel = lead.dstchannel();
    if ((dstchannel == null || dstchannel.isBlank()) && "ANSWERED".equals(lead.disposition()))
      dstchannel = parts.stream().filter(r -> "ANSWERED".equals(r.disposition()) && r.dstchannel() != null
          && !r.dstchannel().isBlank()).map(CdrRow::dstchannel).findFirst().orElse(dstchannel);
    return new CdrRow(lead.accountcode(), lead.src(), first.dst(), first.dcontext(), lead.clid(), lead.channel(),
        dstchannel, lead.lastapp(), lead.lastdata(), start, answer, end, duration, billsec,
        lead.disposition(), lead.amaflags(), lead.uniqueid(), lead.userfield(), lead.peeraccount(), lead.linkedid(),
        lead.sequence());
  }

  /** {@code s} and {@code h} are where Asterisk runs dialplan, never a number anyone dialled. */
  private static boolean dialled(String dst) {
    return dst != null && !dst.isBlank() && !dst.equals("s") && !dst.equals("h");
  }

  public record Merged(String key, CdrRow row) {}

  private static int rank(CdrRow r) {
    boolean answered = "ANSWERED".equals(r.disposition());
    if (answered) return r.isDialRow() ? 5 : 4;
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
