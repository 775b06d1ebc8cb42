package dev.postcall.agi;

import dev.postcall.DaemonThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Abusive clients of a FastAGI port: keeps {@code count} connections open and opens a new one
 * whenever the server closes one, until closed. {@link #silent} ones never send a byte; {@link
 * #dripping} ones (slowloris) send one byte of an environment that never ends every so often —
 * often enough that a read timeout never fires. Records how long each closed connection lived.
 * One thread and a selector, so thousands of sockets cost nothing here.
 */
public final class SlowClients implements AutoCloseable {
  private static final byte[] DRIP = "agi_network: yes\nagi_x: ".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** Per connection: when it was opened and last sent, and how far into {@link #DRIP} it is. */
  private static final class Conn {
    final long openedAt = System.nanoTime();
    long sentAt = openedAt;
    int next;
  }

  private final InetSocketAddress server;
  private final int count;
  /** 0: never send. */
  private final long dripNanos;
  private final Selector selector;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final List<Long> lifetimesMs = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;

  /** Connections that send a byte every {@code dripMillis}. */
  public static SlowClients dripping(int port, int count, long dripMillis) throws IOException {
    return new SlowClients(new InetSocketAddress("127.0.0.1", port), count, TimeUnit.MILLISECONDS.toNanos(dripMillis));
  }

  /** Connections that never send a byte. */
  public static SlowClients silent(InetSocketAddress server, int count) throws IOException {
    return new SlowClients(server, count, 0);
  }

  private SlowClients(InetSocketAddress server, int count, long dripNanos) throws IOException {
    this.server = server;
    this.count = count;
    this.dripNanos = dripNanos;
    this.selector = Selector.open();
    for (int i = 0; i < count; i++) open();
    this.thread = DaemonThreads.start(dripNanos > 0 ? "slowloris" : "idle-clients", this::loop);
  }

  private void open() throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.connect(server); // blocking: the kernel completes it from the accept backlog
    ch.configureBlocking(false);
    ch.register(selector, SelectionKey.OP_READ, new Conn());
    opened.incrementAndGet();
  }

  private void loop() {
    ByteBuffer buf = ByteBuffer.allocate(256);
    while (running.get()) {
      try {
        selector.select(dripNanos > 0 ? 20 : 100);
        for (SelectionKey k : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) k.channel();
          buf.clear();
          int n;
          try {
            n = ch.read(buf);
          } catch (IOException e) {
            n = -1; // reset by the server: closed all the same
          }
          if (n < 0) reopen(k);
        }
        selector.selectedKeys().clear();
        if (dripNanos > 0) drip();
      } catch (IOException | RuntimeException e) {
        // keep going: a failed reconnect is tried again with the next closed socket
      }
    }
  }

  private void drip() throws IOException {
    long now = System.nanoTime();
    for (SelectionKey k : new ArrayList<>(selector.keys())) {
      Conn c = (Conn) k.attachment();
      if (!k.isValid() || now - c.sentAt < dripNanos) continue;
      try {
        ((SocketChannel) k.channel()).write(ByteBuffer.wrap(DRIP, c.next % DRIP.length, 1));
        c.next++;
        c.sentAt = now;
      } catch (IOException e) {
        reopen(k);
      }
    }
  }

  private void reopen(SelectionKey k) throws IOException {
    closedByServer.incrementAndGet();
    lifetimesMs.add((System.nanoTime() - ((Conn) k.attachment()).openedAt) / 1_000_000);
    k.cancel();
    k.channel().close();
    if (running.get()) open();
  }

  public int count() {
    return count;
  }

  public int opened() {
    return opened.get();
  }

  public int closedByServer() {
    return closedByServer.get();
  }

  /** How long the connections the server closed had lived, in ms. */
  public List<Long> lifetimesMs() {
    synchronized (lifetimesMs) {
      return List.copyOf(lifetimesMs);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    running.set(false);
    thread.join(2_000);
    for (SelectionKey k : selector.keys()) k.channel().close();
    selector.close();
  }
}
