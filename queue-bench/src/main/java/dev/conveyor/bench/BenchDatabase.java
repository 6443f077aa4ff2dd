package dev.conveyor.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The benchmark's own connections: pools, housekeeping statements and counts. */
final class BenchDatabase implements AutoCloseable {

  private final String url;
  private final String user;
  private final String password;
  private final HikariDataSource admin;

  BenchDatabase(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.admin = newPool("conveyor-bench-admin", 2);
  }

  String url() {
    return url;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** A pool of its own, e.g. one per worker runtime or per group of producer threads. */
  HikariDataSource newPool(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setPoolName(name);
    config.addDataSourceProperty("ApplicationName", name);
    config.setConnectionTimeout(30_000);
    return new HikariDataSource(config);
  }

  HikariDataSource admin() {
    return admin;
  }

  /** Empties the queue table and vacuums it, so that every run starts from the same state. */
  void resetQueue() {
    execute(
        "TRUNCATE conveyor.queue_job, conveyor.queue_control, conveyor.queue_start_log"
            + " RESTART IDENTITY");
    execute("VACUUM ANALYZE conveyor.queue_job");
  }

  /**
   * After a bulk load: fresh statistics and hint bits, and a checkpoint so that the run does not
   * pay for the load's dirty pages (the checkpoint is skipped if the role may not run it).
   */
  void settle() {
    execute("VACUUM ANALYZE conveyor.queue_job");
    try {
      execute("CHECKPOINT");
    } catch (IllegalStateException e) {
      // Not a superuser or pg_checkpoint member: fine, only a little noisier.
    }
  }

  long count(String queue, String state) {
    return queryLong(
        "SELECT count(*) FROM conveyor.queue_job WHERE queue = '"
            + queue.replace("'", "''")
            + "' AND state = '"
            + state
            + "'");
  }

  long countQueue(String queue) {
    return queryLong(
        "SELECT count(*) FROM conveyor.queue_job WHERE queue = '" + queue.replace("'", "''") + "'");
  }

  void execute(String sql) {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("benchmark SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  long queryLong(String sql) {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("benchmark SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  String queryString(String sql) {
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "";
    } catch (SQLException e) {
      throw new IllegalStateException("benchmark SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Settings that differ from their built-in default (what the server was configured with). */
  Map<String, String> nonDefaultSettings() {
    Map<String, String> settings = new TreeMap<>();
    String sql =
        "SELECT name, current_setting(name) FROM pg_settings WHERE source NOT IN ('default',"
            + " 'override', 'client', 'session') ORDER BY name";
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        settings.put(rs.getString(1), rs.getString(2));
      }
    } catch (SQLException e) {
      settings.put("(unreadable)", e.getMessage());
    }
    return settings;
  }

  /** True when pg_stat_statements is loaded and created in this database. */
  boolean statementStatsAvailable() {
    try {
      execute("SELECT pg_stat_statements_reset()");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** The busiest statements since the last reset (pg_stat_statements), conveyor's first. */
  List<String[]> topStatements(int limit) {
    List<String[]> rows = new ArrayList<>();
    String sql =
        "SELECT calls, rows, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric,"
            + " 3), regexp_replace(left(query, 400), '\\s+', ' ', 'g') FROM pg_stat_statements"
            + " WHERE query ILIKE '%conveyor.%' ORDER BY total_exec_time DESC LIMIT "
            + limit;
    try (Connection c = admin.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(
            new String[] {
              rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)
            });
      }
    } catch (SQLException e) {
      rows.add(new String[] {"", "", "", "", "(pg_stat_statements unreadable: " + e + ")"});
    }
    return rows;
  }

  /** The server's process id as the OS sees it, or -1 when it is not on this machine. */
  long postmasterPid() {
    String host = hostOf(url);
    if (!(host.isEmpty()
        || host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("[::1]")
        || host.equals("::1"))) {
      return -1;
    }
    try {
      long backend = queryLong("SELECT pg_backend_pid()");
      return ProcCpu.parentOf(backend);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static String hostOf(String jdbcUrl) {
    String rest = jdbcUrl.replaceFirst("^jdbc:postgresql:", "");
    if (!rest.startsWith("//")) {
      return "";
    }
    rest = rest.substring(2);
    int end = rest.length();
    for (char stop : new char[] {'/', '?'}) {
      int i = rest.indexOf(stop);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String hostPort = rest.substring(0, end);
    if (hostPort.startsWith("[")) {
      return hostPort.substring(0, hostPort.indexOf(']') + 1);
    }
    int colon = hostPort.indexOf(':');
    return colon < 0 ? hostPort : hostPort.substring(0, colon);
  }

  @Override
  public void close() {
    admin.close();
  }
}
