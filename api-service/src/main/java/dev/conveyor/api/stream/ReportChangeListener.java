package dev.conveyor.api.stream;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.queue.autoconfigure.DatabaseProperties;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Holds this instance's one dedicated connection that LISTENs on {@value #CHANNEL} (payload: a
 * report id, sent by the {@code reports_notify_change} trigger) and passes the hints to {@link
 * ReportStreams}. Not from the pool: a LISTEN needs its session for as long as it runs (and must
 * not go through a transaction pooler): {@code conveyor.api.events.listen-url} if set, else {@code
 * conveyor.db.direct-url}, else the datasource URL.
 *
 * <p>A lost connection is re-established with backoff, and after every reconnect all streams are
 * refreshed, because notifications sent while nobody listened are gone.
 */
@Component
@ConditionalOnWebApplication
class ReportChangeListener implements SmartLifecycle {

  static final String CHANNEL = "conveyor_report";
  private static final Logger log = LoggerFactory.getLogger(ReportChangeListener.class);
  private static final int POLL_MILLIS = 500;
  private static final long VALIDATE_NANOS = Duration.ofSeconds(30).toNanos();

  private final ReportStreams streams;
  private final String url;
  private final Properties connectionProperties = new Properties();

  private volatile boolean running;
  private volatile boolean connected;
  private @Nullable Thread thread;

  ReportChangeListener(
      ReportStreams streams,
      JdbcConnectionDetails database,
      ApiProperties properties,
      ObjectProvider<DatabaseProperties> direct) {
    this.streams = streams;
    String listenUrl = properties.events().listenUrl();
    this.url =
        listenUrl != null
            ? listenUrl
            : direct
                .getIfAvailable(() -> new DatabaseProperties(null))
                .directUrlOr(database.getJdbcUrl());
    if (database.getUsername() != null) {
      connectionProperties.setProperty("user", database.getUsername());
    }
    if (database.getPassword() != null) {
      connectionProperties.setProperty("password", database.getPassword());
    }
    connectionProperties.setProperty("ApplicationName", "conveyor-api-listener");
  }

  boolean isConnected() {
    return connected;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    Thread t = new Thread(this::loop, "conveyor-report-listener");
    t.setDaemon(true);
    t.start();
    thread = t;
  }

  @Override
  public synchronized void stop() {
    running = false;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void loop() {
    long backoffMillis = 100;
    boolean everConnected = false;
    while (running) {
      try (Connection c = DriverManager.getConnection(url, connectionProperties)) {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        connected = true;
        backoffMillis = 100;
        if (everConnected) {
          log.info("LISTEN {} re-established; refreshing all live streams", CHANNEL);
        }
        everConnected = true;
        streams.changedAll();
        listen(c);
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.error("LISTEN {} connection lost; reconnecting in {} ms", CHANNEL, backoffMillis, e);
        }
      } finally {
        connected = false;
      }
      if (running) {
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }

  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long lastValidated = System.nanoTime();
    while (running) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null && notifications.length > 0) {
        for (PGNotification n : notifications) {
          try {
            streams.changed(UUID.fromString(n.getParameter()));
          } catch (IllegalArgumentException e) {
            log.debug("Ignoring a malformed {} notification '{}'", CHANNEL, n.getParameter());
          }
        }
        lastValidated = System.nanoTime();
      } else if (System.nanoTime() - lastValidated > VALIDATE_NANOS) {
        // A half-open TCP connection can stay silent forever; make the server answer.
        if (!c.isValid(5)) {
          throw new SQLException("LISTEN connection failed validation", "08006");
        }
        lastValidated = System.nanoTime();
      }
    }
  }
}
