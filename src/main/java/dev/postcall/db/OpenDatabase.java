package dev.postcall.db;

import dev.postcall.config.PostcallConfig;

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
    // Something on the port: the running service's server, proven by its pid file — or a refusal.
    EmbeddedDatabase server = EmbeddedDatabase.listening(cfg.embeddedPort()) ? null
        : EmbeddedDatabase.start(cfg.embeddedDir(), cfg.embeddedPort());
    EmbeddedDatabase.Login login = server != null ? server.login() : EmbeddedDatabase.attach(cfg.embeddedDir(), cfg.embeddedPort());
    return new OpenDatabase(server, Database.open(login.jdbcUrl(), login.user(), login.password(), cfg.poolSize(),
        cfg.connectTimeout()));
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
