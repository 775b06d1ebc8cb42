package dev.postcall.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Appends CDR rows to a Master.csv as Asterisk's cdr_csv does with loguniqueid and loguserfield:
 * 18 columns, text quoted with {@code ""} doubled inside, numbers bare, unset times as empty fields,
 * local times; one write per row (cdr_csv's fputs), no header.
 */
public final class CdrCsvWriter {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** One Master.csv row. */
  public record Row(String accountcode, String src, String dst, String dcontext, String clid, String channel,
      String dstchannel, String lastapp, String lastdata, Instant start, Instant answer, Instant end, long duration,
      long billsec, String disposition, String amaflags, String uniqueid, String userfield) {}

  private final Path file;
  private final ZoneId zone;
  private int rotations;

  public CdrCsvWriter(Path file, ZoneId zone) {
    this.file = file;
    this.zone = zone;
  }

  public Path file() {
    return file;
  }

  public synchronized void append(List<Row> rows) throws IOException {
    for (Row r : rows) {
      Files.write(file, format(r).getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  /** logrotate's default: Master.csv → Master.csv.1 (older ones shift up), a new file starts empty. */
  public synchronized void rotate() throws IOException {
    rotations++;
    for (int i = rotations; i >= 1; i--) {
      Path from = i == 1 ? file : file.resolveSibling(file.getFileName() + "." + (i - 1));
      Path to = file.resolveSibling(file.getFileName() + "." + i);
      if (Files.exists(from)) Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * logrotate's {@code copytruncate}: the file is copied to Master.csv.1 (older ones shift up) and
   * then truncated in place — the writer keeps its file. Done under the writer's lock; a real
   * logrotate cannot lock cdr_csv out, and rows written between its copy and its truncate are lost
   * for every reader.
   */
  public synchronized void copyTruncate() throws IOException {
    rotations++;
    for (int i = rotations; i >= 2; i--) {
      Path from = file.resolveSibling(file.getFileName() + "." + (i - 1));
      if (Files.exists(from)) Files.move(from, file.resolveSibling(file.getFileName() + "." + i), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.exists(file)) return;
    Files.copy(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
  }

  String format(Row r) {
    return String.join(",", q(r.accountcode()), q(r.src()), q(r.dst()), q(r.dcontext()), q(r.clid()), q(r.channel()),
        q(r.dstchannel()), q(r.lastapp()), q(r.lastdata()), t(r.start()), t(r.answer()), t(r.end()),
        String.valueOf(r.duration()), String.valueOf(r.billsec()), q(r.disposition()), q(r.amaflags()), q(r.uniqueid()),
        q(r.userfield())) + "\n";
  }

  private static String q(String s) {
    return "\"" + (s == null ? "" : s.replace("\"", "\"\"")) + "\"";
  }

  private String t(Instant i) {
    return i == null ? "" : "\"" + TIME.format(LocalDateTime.ofInstant(i, zone)) + "\"";
  }
}
