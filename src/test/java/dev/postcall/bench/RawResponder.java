package dev.postcall.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The baseline: a minimal FastAGI responder on raw sockets that sends the same commands as
 * postcall's hangup script (one GET FULL VARIABLE, then it closes) and does no
 * work at all — no parsing, no database, no spool. Same backlog as postcall.
 */
final class RawResponder implements AutoCloseable {
  private final ServerSocket server = new ServerSocket();
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-agi");
    t.setDaemon(true);
    return t;
  });
  private final byte[] query;

  RawResponder(String expression) throws IOException {
    this(("GET FULL VARIABLE \"" + expression + "\"\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Answers every session with {@code command} (e.g. the route script's one MSet), reads its reply, closes. */
  RawResponder(byte[] command) throws IOException {
    query = command;
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    Thread t = new Thread(this::acceptLoop, "raw-agi-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        pool.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) { // environment up to the blank line
        String l = readLine(in);
        if (l == null) return;
        if (l.isEmpty()) break;
      }
      out.write(query);
      out.flush();
      readLine(in); // the reply; then close, as postcall does
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) >= 0 && c != '\n') b.write(c);
    return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
  }
}
