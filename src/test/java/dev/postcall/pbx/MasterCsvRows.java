package dev.postcall.pbx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test's own reading of the kit's Master.csv (cdr.conf: loguniqueid, loguserfield,
 * newcdrcolumns — 21 columns), independent of postcall's parser: what Asterisk says happened.
 */
public final class MasterCsvRows {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

  /** One row; times as written (local wall clock of the PBX, or UTC with usegmtime). */
  public record Row(String src, String dst, String dcontext, String channel, String dstchannel, String lastapp,
      String start, String answer, String end, int duration, int billsec, String disposition, String uniqueid,
      String userfield, String linkedid, int sequence) {
    public Instant startIn(ZoneId zone) {
      return at(start, zone);
    }

    public Instant endIn(ZoneId zone) {
      return at(end, zone);
    }

    private static Instant at(String t, ZoneId zone) {
      return t.isEmpty() ? null : LocalDateTime.parse(t, TIME).atZone(zone).toInstant();
    }
  }

  /** A call's rows (same uniqueid) and Master.csv's view of the whole call. */
  public record Call(String uniqueid, List<Row> rows) {
    public Row first() {
      return rows.get(0);
    }

    public Row last() {
      return rows.get(rows.size() - 1);
    }

    public Instant start(ZoneId zone) {
      return first().startIn(zone);
    }

    public Instant end(ZoneId zone) {
      return rows.stream().map(r -> r.endIn(zone)).filter(x -> x != null).max(Comparator.naturalOrder()).orElse(null);
    }

    /**
     * The whole call in seconds: rows that all start in the first row's second are one part (or the
     * parallel rows of a ring group or queue) and the longest says it; rows in later seconds are later
     * parts, and the call spans the first start to the last end.
     */
    public int duration(ZoneId zone) {
      boolean onePart = rows.stream().allMatch(r -> r.start().equals(first().start()));
      if (onePart) return rows.stream().mapToInt(Row::duration).max().orElse(0);
      return (int) (end(zone).getEpochSecond() - start(zone).getEpochSecond());
    }

    public int billsec() {
      return rows.stream().mapToInt(Row::billsec).sum();
    }
  }

  private MasterCsvRows() {}

  public static List<Row> read(Path file) {
    if (!Files.exists(file)) return List.of();
    try {
      List<Row> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        List<String> f = split(line);
        if (f.size() != 21) continue; // history of another layout seeded by a test: not the kit's calls
        out.add(new Row(f.get(1), f.get(2), f.get(3), f.get(5), f.get(6), f.get(7), f.get(9), f.get(10), f.get(11),
            Integer.parseInt(f.get(12)), Integer.parseInt(f.get(13)), f.get(14), f.get(16), f.get(17), f.get(19),
            Integer.parseInt(f.get(20))));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The calls people made: the rows whose channel is the caller of its call — its uniqueid is the
   * linkedid, or it is the {@code ;2} half of an originated Local channel whose {@code ;1} half
   * holds the linkedid — grouped by uniqueid in sequence order.
   */
  public static Map<String, Call> callerCalls(List<Row> rows) {
    Map<String, String> localOneByLinkedid = new LinkedHashMap<>();
    for (Row r : rows) if (r.channel().endsWith(";1") && r.uniqueid().equals(r.linkedid())) localOneByLinkedid.put(r.linkedid(), r.channel());
    Map<String, List<Row>> by = new LinkedHashMap<>();
    rows.stream().sorted(Comparator.comparingInt(Row::sequence)).forEach(r -> {
      String one = localOneByLinkedid.get(r.linkedid());
      boolean caller = r.channel().endsWith(";2") && one != null
          && one.substring(0, one.length() - 2).equals(r.channel().substring(0, r.channel().length() - 2));
      if (caller || (r.uniqueid().equals(r.linkedid()) && !r.channel().endsWith(";1")))
        by.computeIfAbsent(r.uniqueid(), k -> new ArrayList<>()).add(r);
    });
    Map<String, Call> out = new LinkedHashMap<>();
    by.forEach((k, v) -> out.put(k, new Call(k, List.copyOf(v))));
    return out;
  }

  /** Asterisk's quoting: text in "" with "" inside, numbers bare, an unset time empty. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
