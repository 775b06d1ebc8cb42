package dev.postcall.bench;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The benchmark's database switch: passes through to the real pool, or — when "down" — refuses
 * every connection as a stopped server does, or — when "hanging" — holds every caller until it is
 * switched back, as a server that accepts and never answers does. (A TCP relay would add two
 * thread hops to every round trip of the database-up figures.)
 */
final class SwitchableDataSource implements DataSource {
  private final DataSource real;
  private volatile boolean down;
  private boolean hanging;

  SwitchableDataSource(DataSource real) {
    this.real = real;
  }

  void down(boolean d) {
    down = d;
  }

  synchronized void hang(boolean h) {
    hanging = h;
    notifyAll();
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (down) throw new SQLNonTransientConnectionException("Connection refused (benchmark: database down)", "08001");
    awaitAnswer();
    return real.getConnection();
  }

  private synchronized void awaitAnswer() throws SQLException {
    try {
      while (hanging) wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLNonTransientConnectionException("interrupted while the database hung", "08001", e);
    }
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return real.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    real.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    real.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return real.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return real.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return real.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return real.isWrapperFor(iface);
  }
}
