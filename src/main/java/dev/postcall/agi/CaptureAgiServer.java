package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asteriskjava.fastagi.DefaultAgiServer;
import org.asteriskjava.fastagi.MappingStrategy;
import org.asteriskjava.util.ServerSocketFacade;

/**
 * asterisk-java's FastAGI server with our socket (backlog, read timeout, allowlist) and a pool of
 * named threads we can wait for at shutdown. asterisk-java's pool has no queue: when all
 * {@code maxThreads} are busy a new connection is closed at once (Asterisk logs "FastAGI failed"
 * and the call is then only in Master.csv) — so the pool is sized for a burst, not for the average.
 */
final class CaptureAgiServer extends DefaultAgiServer {
  private final InetSocketAddress bind;
  private final int backlog;
  private final int readTimeoutMillis;
  private final AddressAllowlist allow;
  private final AgiConnection.SessionListener listener;
  private final int maxThreads;
  private final CompletableFuture<ListeningSocket> bound = new CompletableFuture<>();
  private volatile ThreadPoolExecutor pool;

  CaptureAgiServer(MappingStrategy scripts, InetSocketAddress bind, int backlog, int readTimeoutMillis,
      AddressAllowlist allow, int maxThreads, AgiConnection.SessionListener listener) {
    super(scripts);
    this.bind = bind;
    this.backlog = backlog;
    this.readTimeoutMillis = readTimeoutMillis;
    this.allow = allow;
    this.listener = listener;
    this.maxThreads = maxThreads;
    setPort(bind.getPort());
    setAddress(bind.getAddress());
    setPoolSize(Math.min(20, maxThreads));
    setMaximumPoolSize(maxThreads);
  }

  @Override
  protected ServerSocketFacade createServerSocket() throws IOException {
    try {
      ListeningSocket s = new ListeningSocket(bind, backlog, readTimeoutMillis, allow, listener);
      bound.complete(s);
      return s;
    } catch (IOException e) {
      bound.completeExceptionally(e);
      throw e;
    }
  }

  @Override
  protected ThreadPoolExecutor createPool() {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "agi-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    pool = new ThreadPoolExecutor(getPoolSize(), maxThreads, 50, TimeUnit.SECONDS, new SynchronousQueue<>(), tf);
    return pool;
  }

  /** Completes when the socket is bound (or failed to bind). */
  CompletableFuture<ListeningSocket> bound() {
    return bound;
  }

  /** Waits for running sessions to end (after {@link #shutdown()}); false if some are still running. */
  boolean awaitSessions(long millis) throws InterruptedException {
    ThreadPoolExecutor p = pool;
    return p == null || p.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }
}
