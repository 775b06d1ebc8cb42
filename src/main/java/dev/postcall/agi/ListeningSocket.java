package dev.postcall.agi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.asteriskjava.util.ServerSocketFacade;
import org.asteriskjava.util.SocketConnectionFacade;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FastAGI server socket: a large accept backlog (asterisk-java's 200 overflowed under a burst of
 * 400 hangups, STACK.md trap 8), a read timeout on every connection, and the allowlist. Connections
 * reach asterisk-java's session pool only once they have sent something ({@link FirstByteGate}),
 * so idle connections cannot occupy the session threads.
 */
final class ListeningSocket implements ServerSocketFacade {
  private static final Logger log = LoggerFactory.getLogger(ListeningSocket.class);

  private final FirstByteGate gate;
  private final AgiConnection.SessionListener listener;
  private volatile int readTimeoutMillis;

  ListeningSocket(InetSocketAddress bind, int backlog, int readTimeoutMillis, AddressAllowlist allow,
      AgiConnection.SessionListener listener) throws IOException {
    this.gate = new FirstByteGate(bind, backlog, readTimeoutMillis, allow, listener);
    this.readTimeoutMillis = readTimeoutMillis;
    this.listener = listener;
  }

  int localPort() {
    return gate.localPort();
  }

  @Override
  public SocketConnectionFacade accept() throws IOException {
    while (true) {
      Socket s = gate.take();
      try {
        return new AgiConnection(s, readTimeoutMillis, listener);
      } catch (IOException e) {
        log.warn("AGI client {}: could not set up the connection ({}) — closed", s.getRemoteSocketAddress(), e.getMessage());
        closeQuietly(s);
      }
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
    gate.close();
  }

  @Override
  public void setSocketReadTimeout(int millis) {
    if (millis > 0) {
      this.readTimeoutMillis = millis;
      gate.readTimeout(millis);
    }
  }
}
