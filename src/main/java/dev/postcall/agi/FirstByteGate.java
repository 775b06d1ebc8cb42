package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts FastAGI connections and holds each one — on one selector thread, not a session thread —
 * until its first bytes arrive, then hands it, with those bytes, to {@code onTalking} (on this
 * thread). Asterisk sends its environment the moment it connects, so a real session passes at
 * once; a connection that sends nothing is closed after the read timeout without ever taking one
 * of the {@code agi.max-threads} session threads. (Before this gate, 500 idle connections filled
 * the pool and every real hangup was closed unserved: chaos scenario 7, issue 7.) The allowlist is
 * checked here too, before anything is read.
 */
final class FirstByteGate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FirstByteGate.class);

  private record Waiting(long acceptedNanos, String peer) {}

  private final ServerSocketChannel server;
  private final Selector selector;
  private final AddressAllowlist allow;
  private final AgiConnection.SessionListener listener;
  private final BiConsumer<Socket, ByteBuffer> onTalking;
  private final Thread thread;
  private final long timeoutNanos;
  private volatile boolean open = true;

  /**
   * Binds with {@code backlog} ({@code agi.backlog}, 1024 by default: asterisk-java's 200
   * overflowed under a burst of 400 hangups, STACK.md trap 8) and starts the gate's thread.
   */
  FirstByteGate(InetSocketAddress bind, int backlog, int readTimeoutMillis, AddressAllowlist allow,
      AgiConnection.SessionListener listener, BiConsumer<Socket, ByteBuffer> onTalking) throws IOException {
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
    this.listener = listener;
    this.onTalking = onTalking;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    this.thread = new Thread(this::run, "agi-gate");
    thread.setDaemon(true);
    thread.start();
  }

  int localPort() {
    return server.socket().getLocalPort();
  }

  private void run() {
    while (open) {
      try {
        if (selector.selectedKeys().isEmpty()) selector.select(50);
        else selector.selectNow();
        List<SocketChannel> talking = new ArrayList<>();
        for (SelectionKey k : selector.selectedKeys()) {
          if (!k.isValid()) continue;
          if (k.isAcceptable()) acceptAll();
          else if (k.isReadable()) {
            k.cancel();
            talking.add((SocketChannel) k.channel());
          }
        }
        selector.selectedKeys().clear();
        if (!talking.isEmpty()) {
          selector.selectNow(); // deregisters the cancelled keys: only then may a channel block again
          for (SocketChannel ch : talking) readAndHandOver(ch);
        }
        closeSilent();
      } catch (IOException | RuntimeException e) {
        if (open) log.warn("FastAGI gate: {} — continuing", e.toString());
      }
    }
  }

  private void acceptAll() throws IOException {
    SocketChannel ch;
    while ((ch = server.accept()) != null) {
      Socket s = ch.socket();
      if (!allow.allows(s.getInetAddress())) {
        log.warn("AGI client {} is not in agi.allow — refused and closed", s.getInetAddress().getHostAddress());
        listener.sessionEnded("refused", 0);
        discardAndClose(ch);
        continue;
      }
      ch.configureBlocking(false);
      // Asterisk writes its environment right after connecting, so it is usually here already:
      // then the connection skips the selector (three system calls and a wake-up fewer).
      ByteBuffer first = ByteBuffer.allocate(AgiConnection.READ_BUFFER);
      if (readFirst(ch, first) != 0) handOver(ch, first);
      else ch.register(selector, SelectionKey.OP_READ,
          new Waiting(System.nanoTime(), s.getInetAddress().getHostAddress() + ":" + s.getPort()));
    }
  }

  private void readAndHandOver(SocketChannel ch) {
    ByteBuffer first = ByteBuffer.allocate(AgiConnection.READ_BUFFER);
    readFirst(ch, first);
    handOver(ch, first);
  }

  /** What the (non-blocking) channel has now, into {@code first}: bytes read, 0 if none yet, -1 at its end. */
  private static int readFirst(SocketChannel ch, ByteBuffer first) {
    try {
      return ch.read(first);
    } catch (IOException e) {
      return -1; // reset by the client: the session thread sees it, and logs it, as usual
    }
  }

  /** Hands over the connection in blocking mode with the bytes read so far ({@code first}, filled up to its position). */
  private void handOver(SocketChannel ch, ByteBuffer first) {
    try {
      ch.configureBlocking(true);
    } catch (IOException e) {
      log.warn("AGI client {}: could not set up the connection ({}) — closed", ch.socket().getRemoteSocketAddress(), e.getMessage());
      closeQuietly(ch);
      return;
    }
    onTalking.accept(ch.socket(), first);
  }

  private void closeSilent() {
    long now = System.nanoTime();
    long limit = timeoutNanos;
    for (SelectionKey k : selector.keys()) {
      if (!(k.attachment() instanceof Waiting w) || now - w.acceptedNanos() < limit) continue;
      k.cancel();
      log.warn("AGI client {} sent nothing for {} ms (read timeout) — closing", w.peer(), TimeUnit.NANOSECONDS.toMillis(limit));
      listener.sessionEnded("timeout", now - w.acceptedNanos());
      closeQuietly((SocketChannel) k.channel());
    }
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

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // a socket we are dropping anyway
    }
  }

  @Override
  public void close() throws IOException {
    open = false;
    selector.wakeup();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey k : selector.keys()) k.channel().close();
    selector.close();
    server.close();
  }
}
