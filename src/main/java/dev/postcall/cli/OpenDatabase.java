package dev.postcall.cli;

import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.Database;
import dev.postcall.queue.EmbeddedDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The database a command talks to: the configured server ({@code db.url}), or — when none is
 * configured — the embedded MariaDB on {@code db.embedded-port}, started here unless another
 * postcall process (the running service) already started it.
 */
public final class OpenDatabase implements AutoCloseable {
  private final EmbeddedDatabase embedded;
  private final Database db;

  private OpenDatabase(EmbeddedDatabase embedded, Database db) {
    this.embedded = embedded;
    this.db = db;
  }

  public static OpenDatabase open(PostcallConfig.Db cfg) {
    if (!cfg.embedded()) {
      return new OpenDatabase(null, Database.open(cfg.url(), cfg.user(), cfg.password(), cfg.poolSize(), cfg.connectTimeout()));
    }
    EmbeddedDatabase server = listening(cfg.embeddedPort()) ? null : EmbeddedDatabase.start(cfg.embeddedDir(), cfg.embeddedPort());
    int port = server != null ? server.port() : cfg.embeddedPort();
    String url = "jdbc:mysql://127.0.0.1:" + port + "/" + EmbeddedDatabase.NAME + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    return new OpenDatabase(server, Database.open(url, "root", "", cfg.poolSize(), cfg.connectTimeout()));
  }

  private static boolean listening(int port) {
    if (port == 0) return false;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public Database db() {
    return db;
  }

  @Override
  public void close() {
    db.close();
    if (embedded != null) embedded.close();
  }
}
