package dev.conveyor.queue.migrations;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Runs a migration on one connection of the caller's pool.
 *
 * <p>Flyway opens a second connection while it holds its first (one for its history table and lock,
 * one for the migrations themselves). From a pool of one connection that second request waits for
 * the pool's timeout (Hikari: 30 s) and fails, so a migration could not run where an application
 * gives the queue a single connection (a serverless function, a tool). Here Flyway gets a data
 * source that hands out the one connection borrowed for it, as often as it asks, and never closes
 * it; it goes back to the pool when the migration ends. Flyway then works on a single connection,
 * as it does for databases that have only one.
 */
public final class OneConnection {

  private OneConnection() {}

  /** A migration given a data source; see {@link #migrate}. */
  @FunctionalInterface
  public interface Migration {
    MigrateResult run(DataSource dataSource);
  }

  /**
   * Borrows one connection from {@code pool}, runs {@code migration} on a data source that serves
   * only that connection, and returns it to the pool.
   */
  public static MigrateResult migrate(DataSource pool, Migration migration) {
    try (Connection connection = pool.getConnection()) {
      return migration.run(new Shared(connection));
    } catch (SQLException e) {
      throw new FlywayException("could not borrow a connection to migrate with", e);
    }
  }

  /** Serves one connection; its {@code close} is left to the owner. */
  private record Shared(Connection connection) implements DataSource {

    @Override
    public Connection getConnection() {
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "close" -> {
                    return null;
                  }
                  case "isClosed" -> {
                    return connection.isClosed();
                  }
                  default -> {
                    try {
                      return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  }
                }
              });
    }

    @Override
    public Connection getConnection(String username, String password) {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
