package dev.postcall.cdr;

import java.time.Instant;

/**
 * One Master.csv row as Asterisk's {@code cdr_csv} wrote it. Optional columns absent from the
 * configured layout are null; times are instants (converted with {@code cdr.timezone} unless the
 * file is in GMT); {@code answer} is null for unanswered rows.
 */
public record CdrRow(
    String accountcode,
    String src,
    String dst,
    String dcontext,
    String clid,
    String channel,
    String dstchannel,
    String lastapp,
    String lastdata,
    Instant start,
    Instant answer,
    Instant end,
    int duration,
    int billsec,
    String disposition,
    String amaflags,
    String uniqueid,
    String userfield,
    String peeraccount,
    String linkedid,
    Integer sequence) {

  /** The row Dial wrote when it returned (its disposition is the call's real outcome). */
  public boolean isDialRow() {
    return "Dial".equalsIgnoreCase(lastapp);
  }

  public boolean hasUniqueid() {
    return uniqueid != null && !uniqueid.isEmpty();
  }
}
