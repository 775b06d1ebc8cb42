package dev.postcall.agi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts what an AGI client sends into lines, whatever pieces the socket delivers them in: UTF-8
 * whatever the platform charset, {@code \r\n} or {@code \n}, and with limits a hostile client
 * cannot get past — a line longer than {@link #MAX_LINE_BYTES} is cut (and logged), a session
 * sending more than {@link #MAX_SESSION_BYTES} or more than {@link #MAX_HANGUP_LINES} HANGUP lines
 * is over. Holds only the unfinished line between reads, so a connection that is waiting costs
 * next to nothing.
 */
final class AgiLines {
  private static final Logger log = LoggerFactory.getLogger(AgiLines.class);
  /**
   * Longer lines are truncated (and logged): a 10 kB caller name still fits, and so does the
   * longest answer to the hangup query (13 values, each cut by Asterisk at 4 kB); a 100 kB line is
   * cut.
   */
  static final int MAX_LINE_BYTES = 64 * 1024;
  /** A session sending more than this is not Asterisk. */
  static final int MAX_SESSION_BYTES = 1024 * 1024;
  /**
   * Asterisk sends one {@code HANGUP} line when the channel hangs up; asterisk-java reads past each
   * one by calling itself again, so thousands of them overflowed its stack (found by the fuzzer).
   */
  static final int MAX_HANGUP_LINES = 16;
  private static final byte[] EMPTY = new byte[0];

  private final String peer;
  private final List<String> lines = new ArrayList<>();
  private byte[] partial = EMPTY;
  private int size;
  private int dropped;
  private long total;
  private int hangupLines;
  private String overLimit;

  AgiLines(String peer) {
    this.peer = peer;
  }

  /** Every complete line received so far, in order (the caller reads from its own position). */
  List<String> lines() {
    return lines;
  }

  /** Why the session must end (too much data), or null. */
  String overLimit() {
    return overLimit;
  }

  /**
   * Takes bytes from {@code in} up to and including the next newline (or all it has); false once a
   * limit is passed (see {@link #overLimit()}). One line at a time, so the session can act on each
   * line before the next is read — whatever pieces the bytes came in, it sees the same sequence.
   */
  boolean add(ByteBuffer in) {
    while (in.hasRemaining() && overLimit == null) {
      if (++total > MAX_SESSION_BYTES) {
        overLimit = "AGI client " + peer + " sent more than " + MAX_SESSION_BYTES + " bytes — closing";
        log.warn(overLimit);
        break;
      }
      byte b = in.get();
      if (b == '\n') {
        endLine();
        break;
      } else if (size == MAX_LINE_BYTES) {
        dropped++;
      } else {
        if (size == partial.length) partial = Arrays.copyOf(partial, Math.min(MAX_LINE_BYTES, Math.max(256, 2 * size)));
        partial[size++] = b;
      }
    }
    return overLimit == null;
  }

  /** The stream ended: a last line without its newline still counts. */
  void end() {
    if ((size > 0 || dropped > 0) && overLimit == null) endLine();
  }

  private void endLine() {
    if (dropped > 0)
      log.warn("AGI client {} sent a line of {} bytes — kept the first {}", peer, size + dropped, MAX_LINE_BYTES);
    int n = size;
    if (n > 0 && partial[n - 1] == '\r') n--;
    String text = new String(partial, 0, n, StandardCharsets.UTF_8);
    size = 0;
    dropped = 0;
    if (partial.length > 4096) partial = EMPTY; // a long line's buffer is not kept for the rest
    if (text.startsWith("HANGUP") && ++hangupLines > MAX_HANGUP_LINES) {
      overLimit = "AGI client " + peer + " sent more than " + MAX_HANGUP_LINES + " HANGUP lines — closing";
      log.warn(overLimit);
      return;
    }
    lines.add(text);
  }
}
