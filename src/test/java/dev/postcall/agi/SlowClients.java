package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slowloris pool against a FastAGI port: keeps {@code count} connections open, each sending one
 * byte of an environment that never ends every {@code dripMillis} (often enough that a read
 * timeout never fires), and opens a new connection whenever the server closes one. One thread and a
 * selector, so hundreds of sockets cost nothing here.
 */
public final class SlowClients implements AutoCloseable {
  private static final byte[] DRIP = "agi_network: yes\nagi_x: ".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** Per connection: when it last sent, and how far into {@link #DRIP} it is. */
  private static final class Drip {
    long sentAt = System.nanoTime();
    int next;
  }

  private final InetSocketAddress server;
  private final long dripNanos;
  private final Selector selector;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final Thread thread;

  public SlowClients(int port, int count, long dripMillis) throws IOException {
    this.server = new InetSocketAddress("127.0.0.1", port);
    this.dripNanos = TimeUnit.MILLISECONDS.toNanos(dripMillis);
    this.selector = Selector.open();
    for (int i = 0; i < count; i++) open();
    this.thread = new Thread(this::loop, "slowloris");
    thread.setDaemon(true);
    thread.start();
  }

  private void open() throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.connect(server); // blocking: the kernel completes it from the accept backlog
    ch.configureBlocking(false);
    ch.register(selector, SelectionKey.OP_READ, new Drip());
    opened.incrementAndGet();
  }

  private void loop() {
    ByteBuffer buf = ByteBuffer.allocate(256);
    while (running.get()) {
      try {
        selector.select(20);
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
        long now = System.nanoTime();
        for (SelectionKey k : new java.util.ArrayList<>(selector.keys())) {
          Drip d = (Drip) k.attachment();
          if (!k.isValid() || now - d.sentAt < dripNanos) continue;
          try {
            ((SocketChannel) k.channel()).write(ByteBuffer.wrap(DRIP, d.next % DRIP.length, 1));
            d.next++;
            d.sentAt = now;
          } catch (IOException e) {
            reopen(k);
          }
        }
      } catch (IOException | RuntimeException e) {
        // keep going: a failed reconnect is tried again with the next closed socket
      }
    }
  }

  private void reopen(SelectionKey k) throws IOException {
    closedByServer.incrementAndGet();
    k.cancel();
    k.channel().close();
    if (running.get()) open();
  }

  public int opened() {
    return opened.get();
  }

  public int closedByServer() {
    return closedByServer.get();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    running.set(false);
    thread.join(2_000);
    for (SelectionKey k : selector.keys()) k.channel().close();
    selector.close();
  }
}
