package dev.postcall.admin;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams a recording with HTTP range support (a single range; browsers' audio elements seek with
 * {@code Range: bytes=N-}). Multiple ranges are answered with the whole file, which RFC 9110 allows.
 */
final class RangeFile {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private RangeFile() {}

  /** [start, end] inclusive, or null for "whole file"; {@code long[0]} for unsatisfiable. */
  static long[] parse(String header, long length) {
    if (header == null || header.contains(",")) return null;
    Matcher m = RANGE.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) return null;
    try {
      if (m.group(1).isEmpty()) { // suffix: the last N bytes
        long n = Long.parseLong(m.group(2));
        if (n == 0 || length == 0) return new long[0];
        return new long[] {Math.max(0, length - n), length - 1};
      }
      long start = Long.parseLong(m.group(1));
      long end = m.group(2).isEmpty() ? length - 1 : Math.min(Long.parseLong(m.group(2)), length - 1);
      if (start >= length || end < start) return new long[0];
      return new long[] {start, end};
    } catch (NumberFormatException tooBig) {
      return new long[0];
    }
  }

  /** Writes straight to the servlet response: Javalin's own result handling would read the file whole. */
  static void serve(Context ctx, Path file, String contentType) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = ch.size();
      long[] range = parse(ctx.header("Range"), length);
      HttpServletResponse res = ctx.res();
      res.setHeader("Accept-Ranges", "bytes");
      res.setHeader("Cache-Control", "private, no-cache");
      if (range != null && range.length == 0) {
        res.setHeader("Content-Range", "bytes */" + length);
        ctx.status(416).contentType("text/plain; charset=utf-8").result("range not satisfiable\n");
        return;
      }
      long start = range == null ? 0 : range[0];
      long count = range == null ? length : range[1] - range[0] + 1;
      res.setStatus(range == null ? 200 : 206);
      res.setContentType(contentType);
      res.setContentLengthLong(count);
      if (range != null) res.setHeader("Content-Range", "bytes " + start + "-" + range[1] + "/" + length);
      if (ctx.method() == HandlerType.HEAD) {
        res.flushBuffer(); // commits these headers: Javalin would answer a HEAD without a result with length 0
        return;
      }
      ch.position(start);
      try (InputStream in = Channels.newInputStream(ch); OutputStream out = res.getOutputStream()) {
        byte[] buf = new byte[64 * 1024];
        long left = count;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) break; // the file shrank under us; the client sees a short body
          out.write(buf, 0, n);
          left -= n;
        }
      }
    }
  }
}
