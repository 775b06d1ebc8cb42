package dev.postcall.admin;

import java.sql.Connection;
import javax.sql.DataSource;

/** Ready when a connection from the pool answers within two seconds. */
public final class DatabaseCheck implements ReadinessCheck {
  private final DataSource ds;

  public DatabaseCheck(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public String name() {
    return "database";
  }

  @Override
  public String check() throws Exception {
    try (Connection c = ds.getConnection()) {
      if (!c.isValid(2)) throw new IllegalStateException("connection not valid");
      return "ok";
    }
  }
}
