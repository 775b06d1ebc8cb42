package dev.postcall.agi;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiReader;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.reply.AgiReply;
import org.asteriskjava.util.SocketConnectionFacade;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FastAGI connection as asterisk-java sees it. Our own implementation (not asterisk-java's)
 * because we need: UTF-8 on the wire whatever the platform charset, a cap on line length and on
 * the whole session (a hostile client must not grow a buffer without bound), a clear log line on
 * a read timeout, and the session's time and outcome when the socket closes.
 */
final class AgiConnection implements SocketConnectionFacade {
  private static final Logger log = LoggerFactory.getLogger(AgiConnection.class);
  /**
   * Longer lines are truncated (and logged): a 10 kB caller name still fits, and so does the
   * longest answer to the hangup query (13 values, each cut by Asterisk at 4 kB); a 100 kB line is
   * cut.
   */
  static final int MAX_LINE_BYTES = 64 * 1024;
  /** A session reading more than this is not Asterisk. */
  static final int MAX_SESSION_BYTES = 1024 * 1024;
  /**
   * Asterisk sends one {@code HANGUP} line when the channel hangs up; asterisk-java reads each
   * one by calling itself again, so a client sending thousands of them overflowed the handler's
   * stack and the call was lost with no line in our log.
   */
  static final int MAX_HANGUP_LINES = 16;
  /** The connection whose handler runs on this thread, so the script can report its outcome. */
  private static final ThreadLocal<AgiConnection> CURRENT = new ThreadLocal<>();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final long acceptedNanos;
  private final SessionListener listener;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String peer;
  private volatile String outcome;
  private volatile boolean readStarted;
  private volatile boolean ended;
  /** When the read now blocked began (System.nanoTime), 0 while not reading — see {@link SilentSessions}. */
  private volatile long readingSince;
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private long bytesRead;
  private int hangupLines;
  /** Size of the read buffer (an environment is 1–2 kB). */
  static final int READ_BUFFER = 8192;
  // Read buffer and the line being assembled; only the handler's thread reads.
  private final byte[] rbuf;
  private int rpos;
  private int rlen;
  private byte[] line = new byte[256];

  /** Told when a session ends: its outcome and how long it took from accept to close. */
  interface SessionListener {
    void sessionEnded(String outcome, long nanos);
  }

  /** Reads block without a socket timeout: {@link SilentSessions} closes a silent session. */
  AgiConnection(Socket socket, SessionListener listener) throws IOException {
    this(socket, ByteBuffer.allocate(READ_BUFFER), listener);
  }

  /** A connection whose first bytes were already read into {@code first} (up to its position; heap buffer). */
  AgiConnection(Socket socket, ByteBuffer first, SessionListener listener) throws IOException {
    this.rbuf = first.array();
    this.rlen = first.position();
    this.socket = socket;
    this.acceptedNanos = System.nanoTime();
    this.listener = listener;
    socket.setTcpNoDelay(true);
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 4096);
    this.peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
  }

  /** The connection being served on this thread, or null. */
  static AgiConnection current() {
    return CURRENT.get();
  }

  String peer() {
    return peer;
  }

  /** The first outcome reported wins (a script's own verdict beats a later I/O error). */
  void outcome(String o) {
    if (outcome == null) outcome = o;
  }

  /**
   * Ends the session now, once the call is safe: Asterisk gets its channel back — and closes the
   * recording — without waiting for asterisk-java's closing {@code SET VARIABLE AJ_AGISTATUS}, one
   * more round trip on a channel that has hung up, read by nothing in an {@code h} extension. What
   * the handler still writes is dropped and its read sees the end of the stream; asterisk-java
   * ignores the failure of that last command.
   */
  void endSession() {
    ended = true;
    try {
      out.flush();
    } catch (IOException e) {
      // Asterisk went away first: nothing left to tell it
    }
    try {
      close();
    } catch (IOException e) {
      // closing a socket: nothing to do about it
    }
  }

  @Override
  public String readLine() throws IOException {
    if (ended) return null;
    if (CURRENT.get() != this) CURRENT.set(this);
    readStarted = true;
    int size = 0;
    int dropped = 0;
    try {
      while (true) {
        int b = nextByte();
        if (b < 0) {
          if (size == 0 && dropped == 0) return null;
          break;
        }
        if (++bytesRead > MAX_SESSION_BYTES) {
          outcome("too_much_data");
          throw new IOException("AGI client " + peer + " sent more than " + MAX_SESSION_BYTES + " bytes — closing");
        }
        if (b == '\n') break;
        if (size == MAX_LINE_BYTES) {
          dropped++;
          continue;
        }
        if (size == line.length) line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, 2 * line.length));
        line[size++] = (byte) b;
      }
    } catch (IOException e) {
      if (outcome == null) {
        outcome("io_error");
        log.warn("AGI client {}: {} — closing", peer, Text.firstLine(e));
      }
      throw e;
    }
    if (dropped > 0)
      log.warn("AGI client {} sent a line of {} bytes — kept the first {}", peer, size + dropped, MAX_LINE_BYTES);
    int n = size;
    if (n > 0 && line[n - 1] == '\r') n--;
    String text = new String(line, 0, n, StandardCharsets.UTF_8);
    if (text.startsWith("HANGUP") && ++hangupLines > MAX_HANGUP_LINES) {
      outcome("too_much_data");
      log.warn("AGI client {} sent more than {} HANGUP lines — closing", peer, MAX_HANGUP_LINES);
      throw new IOException("AGI client " + peer + " sent more than " + MAX_HANGUP_LINES + " HANGUP lines");
    }
    return text;
  }

  /**
   * The next byte from the socket, or -1 at its end. Our own buffer rather than a
   * BufferedInputStream: its read() takes a lock per byte, and the byte-at-a-time
   * ByteArrayOutputStream this replaced was the AGI threads' biggest Java cost in a profile.
   */
  private int nextByte() throws IOException {
    if (rpos == rlen) {
      readingSince = System.nanoTime() | 1; // never 0, which means "not reading"
      try {
        rlen = in.read(rbuf, 0, rbuf.length);
      } finally {
        readingSince = 0;
      }
      rpos = 0;
      if (rlen <= 0) {
        rlen = 0;
        return -1;
      }
    }
    return rbuf[rpos++] & 0xFF;
  }

  /**
   * asterisk-java's reader for this connection, except that once the session has ended the
   * handler's closing {@code SET VARIABLE AJ_AGISTATUS} is answered here (nothing was sent, see
   * {@link #endSession}) instead of by a read of the closed socket — which made asterisk-java
   * throw, and fill in the stack of, one exception per session.
   */
  AgiReader answeringAfterEnd(AgiReader reader) {
    return new AgiReader() {
      @Override
      public AgiRequest readRequest() throws AgiException {
        return reader.readRequest();
      }

      @Override
      public AgiReply readReply() throws AgiException {
        return ended ? SessionEnded.REPLY : reader.readReply();
      }
    };
  }

  /** The answer to commands asterisk-java sends after we ended the session: "done, nothing more". */
  private record SessionEnded() implements AgiReply {
    static final SessionEnded REPLY = new SessionEnded();
    private static final long serialVersionUID = 1L;

    @Override public String getFirstLine() { return "200 result=1"; }
    @Override public List<String> getLines() { return List.of(getFirstLine()); }
    @Override public int getResultCode() { return 1; }
    @Override public char getResultCodeAsChar() { return '1'; }
    @Override public String getResult() { return "1"; }
    @Override public int getStatus() { return SC_SUCCESS; }
    @Override public String getAttribute(String name) { return null; }
    @Override public String getExtra() { return null; }
    @Override public String getSynopsis() { return null; }
    @Override public String getUsage() { return null; }
  }

  /** How long the current read has waited at {@code now}; 0 when not reading. */
  long silentFor(long now) {
    long since = readingSince;
    return since == 0 ? 0 : now - since;
  }

  /**
   * Called by {@link SilentSessions} from its own thread: closes the socket under the blocked read,
   * which then fails and ends the session on its own thread (outcome and time recorded there).
   */
  void closeSilent(long timeoutMillis) {
    if (!timedOut.compareAndSet(false, true)) return;
    outcome("timeout");
    log.warn("AGI client {} sent nothing for {} ms (read timeout) — closing", peer, timeoutMillis);
    try {
      socket.close();
    } catch (IOException e) {
      // the read fails either way
    }
  }

  @Override
  public void write(String s) throws IOException {
    if (!ended) out.write(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void flush() throws IOException {
    if (!ended) out.flush();
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) return;
    if (CURRENT.get() == this) CURRENT.remove();
    if (!readStarted && outcome == null) {
      // asterisk-java closes a connection it had no free thread for without reading it
      outcome("pool_full");
      log.warn("AGI client {} refused: all agi.max-threads sessions busy — Asterisk will log FastAGI failed", peer);
    }
    try {
      socket.close();
    } finally {
      listener.sessionEnded(outcome == null ? "no_request" : outcome, System.nanoTime() - acceptedNanos);
    }
  }

  @Override
  public boolean isConnected() {
    return socket.isConnected() && !socket.isClosed();
  }

  @Override
  public InetAddress getLocalAddress() {
    return socket.getLocalAddress();
  }

  @Override
  public int getLocalPort() {
    return socket.getLocalPort();
  }

  @Override
  public InetAddress getRemoteAddress() {
    return socket.getInetAddress();
  }

  @Override
  public int getRemotePort() {
    return socket.getPort();
  }
}
