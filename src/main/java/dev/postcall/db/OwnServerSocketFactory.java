package dev.postcall.db;

import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connector/J's socket factory for the embedded MariaDB: after the TCP connect and before the
 * server's greeting is read (so before the login is sent), checks that the listener on the port is
 * still the embedded server — a mysqld that died and a stranger who took its port must never see
 * postcall's account. Connector/J creates factories by class name, so the pid file of each port is
 * registered here.
 */
public final class OwnServerSocketFactory extends StandardSocketFactory {
  private static final Map<Integer, Path> PID_FILES = new ConcurrentHashMap<>();

  static void register(int port, Path pidFile) {
    PID_FILES.put(port, pidFile);
  }

  @Override
  public <T extends Closeable> T connect(String host, int portNumber, PropertySet props, int loginTimeout) throws IOException {
    T socket = super.connect(host, portNumber, props, loginTimeout);
    Path pidFile = PID_FILES.get(portNumber);
    String problem = pidFile == null ? "no embedded MariaDB registered for port " + portNumber
        : new ServerPidCheck().problem(portNumber, pidFile);
    if (problem != null) {
      ((Socket) socket).close();
      throw new IOException("db.embedded-port: " + problem + "; not logging in there");
    }
    return socket;
  }
}
