package dev.postcall.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;

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

  static void serve(Exchange x, Path file, String contentType) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = ch.size();
      long[] range = parse(x.header(HttpHeader.RANGE), length);
      var h = x.res.getHeaders();
      h.put(HttpHeader.ACCEPT_RANGES, "bytes");
      h.put(HttpHeader.CACHE_CONTROL, "private, no-cache");
      if (range != null && range.length == 0) {
        h.put(HttpHeader.CONTENT_RANGE, "bytes */" + length);
        x.text(416, "range not satisfiable\n");
        return;
      }
      long start = range == null ? 0 : range[0];
      long count = range == null ? length : range[1] - range[0] + 1;
      x.res.setStatus(range == null ? 200 : 206);
      h.put(HttpHeader.CONTENT_TYPE, contentType);
      h.put(HttpHeader.CONTENT_LENGTH, count);
      if (range != null) h.put(HttpHeader.CONTENT_RANGE, "bytes " + start + "-" + range[1] + "/" + length);
      if ("HEAD".equals(x.method())) {
        x.res.write(true, org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER, x.cb);
        return;
      }
      ch.position(start);
      try (InputStream in = Channels.newInputStream(ch); OutputStream out = Response.asBufferedOutputStream(x.req, x.res)) {
        byte[] buf = new byte[64 * 1024];
        long left = count;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) break; // the file shrank under us; the client sees a short body
          out.write(buf, 0, n);
          left -= n;
        }
      }
      x.cb.succeeded();
    }
  }
}
