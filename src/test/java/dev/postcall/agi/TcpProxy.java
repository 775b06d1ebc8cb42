package dev.postcall.agi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay to the test database that a test can cut (every connection closed, new ones closed
 * at once — the database "is down") and restore, without touching the shared MariaDB.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String host;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean up = true;
  private volatile boolean stalled;

  public TcpProxy(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "tcp-proxy");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public void cut() {
    up = false;
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  public void restore() {
    up = true;
    stalled = false;
  }

  /** Keeps every connection open but forwards nothing: a database that hangs. */
  public void stall() {
    stalled = true;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (!up) {
          closeQuietly(client);
          continue;
        }
        Socket backend = new Socket(host, port);
        open.add(client);
        open.add(backend);
        pump(client, backend);
        pump(backend, client);
      } catch (IOException e) {
        // closed, or the backend refused: the client sees its connection drop
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          while (stalled && up) Thread.sleep(5);
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // one side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }
}
