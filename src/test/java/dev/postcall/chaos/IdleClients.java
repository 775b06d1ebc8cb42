package dev.postcall.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An abusive FastAGI client: keeps {@code count} connections open that never send a byte, and
 * opens a new one whenever the server closes one, until stopped. Records how long each lived
 * before the server closed it. One thread and a selector, so 1,000 sockets cost nothing here.
 */
final class IdleClients implements AutoCloseable {
  private final InetSocketAddress server;
  private final int count;
  private final Selector selector;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger opened = new AtomicInteger();
  private final List<Long> lifetimesMs = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;

  IdleClients(InetSocketAddress server, int count) throws IOException {
    this.server = server;
    this.count = count;
    this.selector = Selector.open();
    for (int i = 0; i < count; i++) open();
    this.thread = new Thread(this::loop, "chaos-idle-clients");
    thread.setDaemon(true);
    thread.start();
  }

  private void open() throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.connect(server); // blocking connect: the kernel completes it from the accept backlog
    ch.configureBlocking(false);
    ch.register(selector, SelectionKey.OP_READ, System.nanoTime());
    opened.incrementAndGet();
  }

  private void loop() {
    ByteBuffer buf = ByteBuffer.allocate(256);
    while (running.get()) {
      try {
        selector.select(100);
        for (SelectionKey k : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) k.channel();
          buf.clear();
          int n;
          try {
            n = ch.read(buf);
          } catch (IOException e) {
            n = -1; // reset by the server: closed all the same
          }
          if (n < 0) {
            lifetimesMs.add((System.nanoTime() - (Long) k.attachment()) / 1_000_000);
            k.cancel();
            ch.close();
            if (running.get()) open();
          }
        }
        selector.selectedKeys().clear();
      } catch (IOException e) {
        // keep abusing: a failed reconnect is tried again with the next closed socket
      }
    }
  }

  int opened() {
    return opened.get();
  }

  /** How long the closed connections lived, in ms. */
  List<Long> lifetimesMs() {
    synchronized (lifetimesMs) {
      return List.copyOf(lifetimesMs);
    }
  }

  int count() {
    return count;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    running.set(false);
    thread.join(2_000);
    for (SelectionKey k : selector.keys()) k.channel().close();
    selector.close();
  }
}
