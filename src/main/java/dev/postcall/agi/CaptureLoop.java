package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.postcall.DaemonThreads;
import dev.postcall.RunUntilStopped;
import dev.postcall.route.RouteIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FastAGI listener: one thread and one selector serve every connection — accept, read the
 * environment, write the hangup query, read its answer — and hand each finished session to the
 * {@link SessionCommitter}, which makes the call durable and then closes the socket. A session
 * takes no thread of its own: an AGI session is two small reads and one small write, too little
 * work to pay for waking a thread and handing the session over. Idle connections cost a file
 * descriptor, not a thread, so a flood of them cannot starve real hangups; they are closed after
 * {@code agi.read-timeout}. A client dribbling a byte now and then is closed at {@code
 * agi.session-deadline}, counted from the accept (a real hangup session lasts milliseconds), and at
 * {@code agi.max-sessions} the oldest connection still without its environment is closed to make
 * room for a new one, so a pool of slow clients cannot keep Asterisk out.
 *
 * <p>asterisk-java still parses requests and answers ({@link AgiProtocol}); this class only moves
 * bytes. Nothing here waits: no database, no DNS (the allowlist holds literal addresses), no disk.
 */
final class CaptureLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureLoop.class);
  private static final byte[] QUERY = (HangupQuery.COMMAND.buildCommand() + "\n").getBytes(StandardCharsets.UTF_8);
  /** How often silent connections are looked for, at most (a tenth of the timeout if shorter). */
  private static final long TICK_MILLIS = 100;
  /** A spool write taking longer than this means a hung disk (normal: about a millisecond). */
  private static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(5);
  /**
   * Connections accepted, or silent ones closed, per pass of the loop: in slices, so the sessions
   * that are talking are served in between when a flood of idle connections times out at once.
   */
  private static final int SLICE = 64;
  /** At most one line per this interval about refused or cut-short connections (see {@link RefusalLog}). */
  private static final long REFUSAL_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** A connection: its socket, its session, and the query bytes a full socket buffer left unwritten. */
  private static final class Conn {
    final SocketChannel channel;
    final HangupSession session;
    ByteBuffer unwritten;
    /** In {@link #withoutEnvironment}: accepted, environment not complete yet. */
    boolean awaitingEnvironment = true;

    Conn(SocketChannel channel, HangupSession session) {
      this.channel = channel;
      this.session = session;
    }
  }

  private final ServerSocketChannel server;
  private final Selector selector;
  private final AddressAllowlist allow;
  private final int maxSessions;
  private final long timeoutNanos;
  private final long deadlineNanos;
  private final AgiSecret secret;
  private final long tickNanos;
  private final SessionCommitter committer;
  private final SessionEnded ended;
  private final RouteIndex route;
  private final AgiProtocol protocol = new AgiProtocol();
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final Thread thread;
  /** Open connections, in the loop or with the committer (the committer decrements). */
  private final AtomicInteger open = new AtomicInteger();
  private final List<SessionCommitter.Finished> finished = new ArrayList<>();
  /**
   * Connections whose environment is not complete yet, oldest first: the ones to close when the
   * limit is reached (Asterisk sends its environment at once, so the oldest of these have made
   * least progress). Loop thread only.
   */
  private final LinkedHashSet<Conn> withoutEnvironment = new LinkedHashSet<>();
  private final RefusalLog refusals = new RefusalLog(log, REFUSAL_LOG_NANOS);
  private volatile boolean accepting = true;
  private volatile boolean running = true;
  private long nextTick;
  /** The last pass closed a full slice of silent connections: look again without waiting for the tick. */
  private boolean moreSilent;

  /** How a session ended, for the metrics: outcome and time from accept to close. */
  interface SessionEnded {
    void sessionEnded(SessionOutcome outcome, long nanos);
  }

  /**
   * Binds with {@code backlog} ({@code agi.backlog}, 1024 by default: a burst of hangups larger
   * than the listen queue has its extra connections wait for the kernel's SYN retransmit) and
   * starts the loop's thread.
   */
  CaptureLoop(InetSocketAddress bind, int backlog, int readTimeoutMillis, long sessionDeadlineMillis,
      AddressAllowlist allow, int maxSessions, AgiSecret secret, HangupCallBuilder builder, CaptureWriter writer,
      SessionEnded ended, RouteIndex route) throws IOException {
    this.server = ServerSocketChannel.open();
    this.selector = Selector.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(bind, backlog);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      server.close();
      selector.close();
      throw e;
    }
    this.allow = allow;
    this.maxSessions = maxSessions;
    this.secret = secret;
    this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(sessionDeadlineMillis);
    this.ended = ended;
    this.route = route;
    this.committer = new SessionCommitter(builder, writer, this::committed, route);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    long shortest = Math.min(readTimeoutMillis, sessionDeadlineMillis);
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(10, Math.min(TICK_MILLIS, shortest / 10)));
    this.nextTick = System.nanoTime() + tickNanos;
    this.thread = DaemonThreads.start("agi-loop", new RunUntilStopped("agi-loop", () -> running, this::pass, this::failed));
  }

  int localPort() {
    return server.socket().getLocalPort();
  }

  /** Why hangups cannot be taken now, or null (for {@code /ready}). */
  String problem() {
    if (running && !thread.isAlive()) return "the agi-loop thread stopped";
    return committer.problem(System.nanoTime(), STUCK_NANOS);
  }

  /** One pass of the loop: waits for the sockets (at most until the next tick), serves them, ticks. */
  private void pass() throws IOException {
    long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime()));
    if (selector.selectedKeys().isEmpty() && !moreSilent) selector.select(wait);
    else selector.selectNow();
    for (SelectionKey k : selector.selectedKeys()) {
      if (!k.isValid()) continue;
      if (k.isAcceptable()) acceptAll();
      else serve(k);
    }
    selector.selectedKeys().clear();
    long now = System.nanoTime();
    if (now - nextTick >= 0 || moreSilent) {
      moreSilent = closeOverdue(now);
      refusals.flush(now);
      nextTick = now + tickNanos;
    }
    handOverFinished();
  }

  private void failed(Throwable e) {
    // one thread serves every session: it must outlive a bug triggered by one of them
    if (e instanceof Error) log.error("FastAGI loop: unexpected error — continuing", e);
    else if (running) log.warn("FastAGI loop: {} — continuing", e.toString());
  }

  private void acceptAll() throws IOException {
    SocketChannel ch;
    // at most a slice per pass: the rest stay in the backlog, and the key stays ready for the next pass
    for (int i = 0; i < SLICE && accepting && (ch = server.accept()) != null; i++) {
      Socket s = ch.socket();
      long now = System.nanoTime();
      if (!allow.allows(s.getInetAddress())) {
        String host = s.getInetAddress().getHostAddress();
        refusals.note(SessionOutcome.REFUSED, host, () -> "AGI client " + host + " is not in agi.allow — refused and closed", now);
        ended.sessionEnded(SessionOutcome.REFUSED, 0);
        discardAndClose(ch);
        continue;
      }
      if (open.get() >= maxSessions && !makeRoom(now)) {
        String peer = s.getInetAddress().getHostAddress() + ":" + s.getPort();
        refusals.note(SessionOutcome.OVER_LIMIT, peer, () -> "AGI client " + peer + " refused: " + maxSessions
            + " sessions open (agi.max-sessions), all past their environment — Asterisk will log FastAGI failed", now);
        ended.sessionEnded(SessionOutcome.OVER_LIMIT, 0);
        discardAndClose(ch);
        continue;
      }
      open.incrementAndGet();
      Conn c;
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c = new Conn(ch, new HangupSession(s.getInetAddress(), s.getPort(), s.getLocalAddress(), s.getLocalPort(),
            now, secret));
      } catch (IOException e) {
        log.warn("AGI client {}: could not set up the connection ({}) — closed", s.getRemoteSocketAddress(), e.getMessage());
        open.decrementAndGet();
        closeQuietly(ch);
        continue;
      }
      withoutEnvironment.add(c);
      // Asterisk writes its environment right after connecting, so it is usually here already:
      // read it now and skip one round through the selector.
      if (read(c) && ch.keyFor(selector) == null) ch.register(selector, SelectionKey.OP_READ, c);
    }
  }

  /**
   * At the limit: closes the oldest connection still without its environment (a slow or idle
   * client — Asterisk sends the environment as soon as it connects); false if every open
   * connection is past that (then the new one is refused).
   */
  private boolean makeRoom(long now) {
    Iterator<Conn> oldest = withoutEnvironment.iterator();
    if (!oldest.hasNext()) return false;
    Conn c = oldest.next();
    long ms = TimeUnit.NANOSECONDS.toMillis(now - c.session.acceptedNanos());
    refusals.note(SessionOutcome.EVICTED, c.session.peer(), () -> "AGI client " + c.session.peer() + " closed to make room: "
        + maxSessions + " sessions open (agi.max-sessions), and it had not sent its environment in " + ms + " ms", now);
    c.session.outcome(SessionOutcome.EVICTED);
    close(c);
    return true;
  }

  private void serve(SelectionKey k) {
    Conn c = (Conn) k.attachment();
    // a session leaving the loop needs nothing more here: a closed channel's key is cancelled with
    // it, and a finished one's is cancelled when it is handed to the committer
    if (k.isWritable() && c.unwritten != null) {
      if (!write(c)) return;
      k.interestOps(SelectionKey.OP_READ);
      if (!next(c, c.session.querySent(protocol))) return;
    }
    if (k.isReadable()) read(c);
  }

  /** Reads what the connection has; false once the session left the loop (finished or closed). */
  private boolean read(Conn c) {
    while (true) {
      readBuffer.clear();
      int n;
      try {
        n = c.channel.read(readBuffer);
      } catch (IOException e) {
        c.session.outcome(SessionOutcome.IO_ERROR);
        log.warn("AGI client {}: {} — closing", c.session.peer(), Text.firstLine(e));
        return next(c, c.session.ended(protocol));
      }
      if (n == 0) return true;
      if (n < 0) return next(c, c.session.ended(protocol));
      readBuffer.flip();
      if (!next(c, c.session.received(readBuffer, System.nanoTime(), protocol))) return false;
      if (c.awaitingEnvironment && !c.session.awaitingEnvironment()) {
        withoutEnvironment.remove(c);
        c.awaitingEnvironment = false;
      }
      if (n < readBuffer.capacity()) return true; // drained for now: spare a read that returns 0
    }
  }

  /** Acts on a session's step; false once the session left the loop. */
  private boolean next(Conn c, HangupSession.Step step) {
    switch (step) {
      case WAIT:
        return true;
      case SEND_QUERY:
        c.unwritten = ByteBuffer.wrap(QUERY);
        if (!write(c)) return c.channel.isOpen(); // waits to be writable, or closed if it could not wait
        return next(c, c.session.querySent(protocol));
      case SEND_ROUTE:
        // from memory, on this thread: a map look-up, never the database
        c.unwritten = ByteBuffer.wrap(RouteCommands.of(route.answer(c.session.callerNumber())));
        if (!write(c)) return c.channel.isOpen();
        return next(c, c.session.querySent(protocol));
      case FINISHED:
        leave(c);
        finished.add(new SessionCommitter.Finished(c.session, c.channel));
        return false;
      default:
        if (c.session.outcome() == SessionOutcome.NO_SECRET) {
          String peer = c.session.peer();
          refusals.note(SessionOutcome.NO_SECRET, peer,
              () -> "AGI client " + peer + " did not pass agi.secret — refused, nothing stored", System.nanoTime());
        }
        close(c);
        return false;
    }
  }

  /** Writes the query; false if the socket's buffer is full (then the loop waits until it is writable). */
  private boolean write(Conn c) {
    try {
      c.channel.write(c.unwritten);
    } catch (IOException e) {
      c.unwritten = null;
      return true; // the read that follows sees the failure
    }
    if (!c.unwritten.hasRemaining()) {
      c.unwritten = null;
      return true;
    }
    SelectionKey k = c.channel.keyFor(selector);
    try {
      if (k == null) c.channel.register(selector, SelectionKey.OP_WRITE, c);
      else k.interestOps(SelectionKey.OP_WRITE);
    } catch (IOException e) {
      close(c);
    }
    return false;
  }

  private void close(Conn c) {
    leave(c);
    counted(c.session); // first: whoever sees the close sees it counted
    closeQuietly(c.channel);
  }

  /** The connection leaves the loop (closed, or handed to the committer). */
  private void leave(Conn c) {
    if (c.awaitingEnvironment) {
      withoutEnvironment.remove(c);
      c.awaitingEnvironment = false;
    }
  }

  /** A session leaves: one open connection fewer, its outcome and time accept → now in the metrics. */
  private void counted(HangupSession s) {
    open.decrementAndGet();
    ended.sessionEnded(s.outcome() == null ? SessionOutcome.NO_REQUEST : s.outcome(), System.nanoTime() - s.acceptedNanos());
  }

  /**
   * Finished sessions go to the committer once their keys are off the selector (a socket still
   * registered is only closed at the selector's next pass, which could be a tick away).
   */
  private void handOverFinished() throws IOException {
    if (finished.isEmpty()) return;
    for (SessionCommitter.Finished f : finished) {
      SelectionKey k = f.channel().keyFor(selector);
      if (k != null) k.cancel();
    }
    selector.selectNow(); // deregisters the cancelled keys (what became ready meanwhile waits in selectedKeys)
    committer.commit(finished);
    finished.clear();
  }

  /** Called by the committer right before it closes a finished session's socket. */
  private void committed(SessionCommitter.Finished f) {
    counted(f.session());
    if (f.channel().isRegistered()) selector.wakeup(); // a registered socket's close waits for the selector's next pass
  }

  /**
   * Closes connections past the session deadline or silent for the read timeout; a session past its
   * environment keeps its call. Connections that never sent a byte share one log line per pass naming
   * them all, so a flood of idle connections does not keep the loop, which serves the real hangups
   * too, busy logging; those cut off at the deadline before their environment go to the throttled
   * {@link RefusalLog}. At most a {@link #SLICE} per pass; true if more are due.
   */
  private boolean closeOverdue(long now) {
    long ms = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    List<Conn> silent = new ArrayList<>();
    List<Conn> late = new ArrayList<>();
    boolean more = false;
    for (SelectionKey k : selector.keys()) {
      if (!(k.attachment() instanceof Conn c)) continue;
      boolean pastDeadline = c.session.pastDeadline(now, deadlineNanos);
      if (!pastDeadline && !c.session.silentPast(now, timeoutNanos)) continue;
      if (silent.size() + late.size() == SLICE) {
        more = true;
        break;
      }
      (pastDeadline ? late : silent).add(c);
    }
    // logged before the sockets close: whoever sees the close finds the reason in the log
    List<String> idle = new ArrayList<>();
    for (Conn c : silent) if (!c.session.receivedAny()) idle.add(c.session.peer());
    for (Conn c : silent) {
      if (c.session.receivedAny() || idle.size() == 1)
        log.warn("AGI client {} sent nothing for {} ms (read timeout) — closing", c.session.peer(), ms);
    }
    if (idle.size() > 1) log.warn("{} AGI clients sent nothing for {} ms (read timeout) — closing: {}", idle.size(), ms,
        String.join(", ", idle)); // at most a slice: every peer is named, in one line
    for (Conn c : silent) {
      c.session.outcome(SessionOutcome.TIMEOUT);
      next(c, c.session.ended(protocol));
    }
    long deadlineMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos);
    for (Conn c : late) {
      c.session.outcome(SessionOutcome.DEADLINE);
      if (c.session.awaitingEnvironment()) {
        // not Asterisk, which sends its environment at once: closed without reading what it dribbled
        String peer = c.session.peer();
        refusals.note(SessionOutcome.DEADLINE, peer, () -> "AGI client " + peer + " had not sent its environment at the "
            + deadlineMs + " ms session deadline (agi.session-deadline) — closing", now);
        close(c);
      } else {
        log.warn("AGI client {} still talking at the {} ms session deadline (agi.session-deadline) — closing",
            c.session.peer(), deadlineMs);
        next(c, c.session.ended(protocol));
      }
    }
    return more;
  }

  /**
   * Reads away what a refused client already sent, then closes: closing with unread bytes makes the
   * kernel answer with a reset instead of an orderly close.
   */
  private static void discardAndClose(SocketChannel ch) {
    try {
      ch.configureBlocking(false);
      ByteBuffer sink = ByteBuffer.allocate(4096);
      for (int i = 0; i < 16 && ch.read(sink) > 0; i++) sink.clear();
    } catch (IOException ignored) {
      // closing it anyway
    }
    closeQuietly(ch);
  }

  static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // a socket we are dropping anyway
    }
  }

  /** Stops accepting; open sessions go on until they end or time out (see {@link #awaitSessions}). */
  void shutdown() {
    accepting = false;
    try {
      server.close();
    } catch (IOException e) {
      // not accepting either way
    }
    selector.wakeup();
  }

  /** Waits until no session is open (after {@link #shutdown()}); false if some still are. */
  boolean awaitSessions(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (open.get() > 0) {
      if (System.nanoTime() - deadline > 0) return false;
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    shutdown();
    running = false;
    selector.wakeup();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    committer.close();
    for (SelectionKey k : selector.keys()) k.channel().close();
    selector.close();
  }
}
