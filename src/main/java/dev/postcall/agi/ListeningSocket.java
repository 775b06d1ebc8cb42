package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.asteriskjava.util.ServerSocketFacade;
import org.asteriskjava.util.SocketConnectionFacade;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FastAGI server socket: a large accept backlog (asterisk-java's 200 overflowed under a burst of
 * 400 hangups, STACK.md trap 8), a read timeout on every connection, and the allowlist, checked on
 * the accept thread before any byte is read: refused clients are logged and closed, and the loop
 * goes on accepting.
 */
final class ListeningSocket implements ServerSocketFacade {
  private static final Logger log = LoggerFactory.getLogger(ListeningSocket.class);

  private final ServerSocket server;
  private final AddressAllowlist allow;
  private final AgiConnection.SessionListener listener;
  private volatile int readTimeoutMillis;

  ListeningSocket(InetSocketAddress bind, int backlog, int readTimeoutMillis, AddressAllowlist allow,
      AgiConnection.SessionListener listener) throws IOException {
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind, backlog);
    this.readTimeoutMillis = readTimeoutMillis;
    this.allow = allow;
    this.listener = listener;
  }

  int localPort() {
    return server.getLocalPort();
  }

  @Override
  public SocketConnectionFacade accept() throws IOException {
    while (true) {
      Socket s = server.accept();
      if (allow.allows(s.getInetAddress())) {
        try {
          return new AgiConnection(s, readTimeoutMillis, listener);
        } catch (IOException e) {
          log.warn("AGI client {}: could not set up the connection ({}) — closed", s.getRemoteSocketAddress(), e.getMessage());
          closeQuietly(s);
          continue;
        }
      }
      log.warn("AGI client {} is not in agi.allow — refused and closed", s.getInetAddress().getHostAddress());
      closeQuietly(s);
      listener.sessionEnded("refused", 0);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing more to do with a socket we are refusing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  @Override
  public void setSocketReadTimeout(int millis) {
    if (millis > 0) this.readTimeoutMillis = millis;
  }
}
