package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asteriskjava.fastagi.MappingStrategy;
import org.asteriskjava.fastagi.internal.DefaultAgiChannelFactory;
import org.asteriskjava.fastagi.internal.FastAgiConnectionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FastAGI server: our {@link FirstByteGate} accepts, and each connection that has sent
 * something runs asterisk-java's own connection handler (request parsing, script mapping, the
 * channel and its commands) on a pool of named session threads. We do not use asterisk-java's
 * {@code DefaultAgiServer}: its accept loop was one more thread every connection had to pass
 * through (gate → accept thread → session thread; measured, that thread alone was ~6 % of the
 * capture's CPU at 3,000 sessions/s, before the hand-offs it cost the others), and it gave no
 * hook for read deadlines.
 *
 * <p>The pool has no queue: when all {@code maxThreads} are busy a new connection is closed at once
 * (Asterisk logs "FastAGI failed" and the call is then only in Master.csv) — so the pool is sized
 * for a burst, not for the average.
 */
final class CaptureAgiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureAgiServer.class);

  private final MappingStrategy scripts;
  private final AgiConnection.SessionListener listener;
  private final ThreadPoolExecutor pool;
  private final SilentSessions silent;
  private final FirstByteGate gate;
  private final DefaultAgiChannelFactory channels = new DefaultAgiChannelFactory();

  /** Binds and starts serving; throws if the address cannot be bound. */
  CaptureAgiServer(MappingStrategy scripts, InetSocketAddress bind, int backlog, int readTimeoutMillis,
      AddressAllowlist allow, int maxThreads, AgiConnection.SessionListener listener) throws IOException {
    this.scripts = scripts;
    this.listener = listener;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "agi-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.pool = new ThreadPoolExecutor(Math.min(20, maxThreads), maxThreads, 50, TimeUnit.SECONDS,
        new SynchronousQueue<>(), tf);
    this.silent = new SilentSessions(readTimeoutMillis);
    try {
      this.gate = new FirstByteGate(bind, backlog, readTimeoutMillis, allow, listener, this::serve);
    } catch (IOException e) {
      silent.close();
      pool.shutdown();
      throw e;
    }
  }

  int localPort() {
    return gate.localPort();
  }

  /** Runs on the gate's thread: hands the connection to a session thread, or refuses it at once. */
  private void serve(Socket socket, ByteBuffer first) {
    AgiConnection conn;
    try {
      conn = new AgiConnection(socket, first, listener);
    } catch (IOException e) {
      log.warn("AGI client {}: could not set up the connection ({}) — closed", socket.getRemoteSocketAddress(), e.getMessage());
      closeQuietly(socket);
      return;
    }
    try {
      pool.execute(() -> {
        silent.watch(conn);
        try {
          new FastAgiConnectionHandler(scripts, conn,
              (request, writer, reader) -> channels.createAgiChannel(request, writer, conn.answeringAfterEnd(reader))).run();
        } finally {
          silent.forget(conn);
        }
      });
    } catch (RejectedExecutionException e) {
      closeQuietly(conn::close); // logged as pool_full: nothing was read
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // a connection we are dropping anyway
    }
  }

  /** Stops accepting; running sessions go on (see {@link #awaitSessions}). */
  void shutdown() {
    closeQuietly(gate);
    pool.shutdown();
  }

  /** Waits for running sessions to end (after {@link #shutdown()}); false if some are still running. */
  boolean awaitSessions(long millis) throws InterruptedException {
    return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    shutdown();
    silent.close();
  }
}
