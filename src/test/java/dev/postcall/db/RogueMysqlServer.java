package dev.postcall.db;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A stranger on the embedded database's port: greets like MariaDB (protocol 10,
 * mysql_native_password) and keeps every byte a client sends — a login would land here.
 */
final class RogueMysqlServer implements AutoCloseable {
  private final ServerSocket server;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private volatile int connections;
  private final Thread thread;

  RogueMysqlServer(int port) throws IOException {
    server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "rogue-mysql");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  int connections() {
    return connections;
  }

  synchronized String received() {
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        connections++;
        s.setSoTimeout(1500);
        s.getOutputStream().write(greeting());
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
          for (int n; (n = in.read(buf)) > 0; ) {
            synchronized (this) {
              received.write(buf, 0, n);
            }
          }
        } catch (SocketTimeoutException | java.net.SocketException enough) {
          // the client went quiet or away
        }
      } catch (IOException closed) {
        return;
      }
    }
  }

  /** A MariaDB 11.4 handshake packet (HandshakeV10). */
  static byte[] greeting() {
    ByteBuffer p = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    p.put((byte) 10).put("5.5.5-11.4.5-MariaDB\0".getBytes(StandardCharsets.US_ASCII)).putInt(7);
    p.put("abcdefgh".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
    p.putShort((short) 0xA20F).put((byte) 45).putShort((short) 2).putShort((short) 0x0008).put((byte) 21);
    p.put(new byte[10]).put("ijklmnopqrst\0".getBytes(StandardCharsets.US_ASCII));
    p.put("mysql_native_password\0".getBytes(StandardCharsets.US_ASCII));
    int len = p.position();
    ByteBuffer out = ByteBuffer.allocate(4 + len).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) len).put((byte) (len >> 8)).put((byte) (len >> 16)).put((byte) 0).put(p.array(), 0, len);
    return out.array();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
