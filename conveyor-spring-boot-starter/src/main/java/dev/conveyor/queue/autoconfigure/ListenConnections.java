package dev.conveyor.queue.autoconfigure;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.notify.PgWakeupListener.ConnectionSource;
import java.sql.DriverManager;
import java.util.Properties;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Decides where a worker's LISTEN connection comes from. LISTEN needs a session held for the
 * worker's whole life, so a dedicated connection is preferred to one taken from the pool: it does
 * not keep one of the pool's connections for good, nor trip the pool's leak detection.
 *
 * <ol>
 *   <li>{@code conveyor.queue.listen-enabled=false}: none (poll only);
 *   <li>{@code conveyor.queue.listen-url} set, else {@code conveyor.db.direct-url}: a new
 *       connection to that URL with the data source's credentials ({@code
 *       spring.datasource.username/password}, else the Hikari pool's). This is how LISTEN stays off
 *       a transaction pooler that the pool goes through;
 *   <li>a Hikari pool configured with a JDBC URL: a new connection with the pool's URL, credentials
 *       and driver properties, opened beside the pool, not borrowed from it;
 *   <li>anything else: a connection borrowed from the data source.
 * </ol>
 */
final class ListenConnections {

  private static final boolean HIKARI_PRESENT =
      ClassUtils.isPresent(
          "com.zaxxer.hikari.HikariDataSource", ListenConnections.class.getClassLoader());

  private ListenConnections() {}

  static @Nullable ConnectionSource resolve(
      QueueProperties queue,
      DatabaseProperties database,
      DataSource dataSource,
      @Nullable DataSourceProperties properties) {
    if (!queue.listenEnabled()) {
      return null;
    }
    String listenUrl =
        StringUtils.hasText(queue.listenUrl()) ? queue.listenUrl() : database.directUrl();
    if (StringUtils.hasText(listenUrl)) {
      Properties credentials = credentials(dataSource, properties);
      return () -> DriverManager.getConnection(listenUrl, credentials);
    }
    if (HIKARI_PRESENT) {
      ConnectionSource direct = Hikari.besidePool(dataSource);
      if (direct != null) {
        return direct;
      }
    }
    return dataSource::getConnection;
  }

  private static Properties credentials(
      DataSource dataSource, @Nullable DataSourceProperties properties) {
    Properties credentials = new Properties();
    if (properties != null && StringUtils.hasText(properties.getUsername())) {
      put(credentials, properties.getUsername(), properties.getPassword());
    } else if (HIKARI_PRESENT) {
      Hikari.putCredentials(dataSource, credentials);
    }
    return credentials;
  }

  private static void put(Properties target, @Nullable String user, @Nullable String password) {
    if (user != null) {
      target.setProperty("user", user);
    }
    if (password != null) {
      target.setProperty("password", password);
    }
  }

  /** Everything that names a Hikari type, so that Hikari stays optional. */
  private static final class Hikari {

    static @Nullable ConnectionSource besidePool(DataSource dataSource) {
      HikariDataSource hikari = unwrap(dataSource);
      if (hikari == null || !StringUtils.hasText(hikari.getJdbcUrl())) {
        return null;
      }
      String url = hikari.getJdbcUrl();
      return () -> {
        // Read per connection: the pool's properties and credentials may change at runtime.
        Properties info = new Properties();
        info.putAll(hikari.getDataSourceProperties());
        put(info, hikari.getUsername(), hikari.getPassword());
        return DriverManager.getConnection(url, info);
      };
    }

    static void putCredentials(DataSource dataSource, Properties target) {
      HikariDataSource hikari = unwrap(dataSource);
      if (hikari != null) {
        put(target, hikari.getUsername(), hikari.getPassword());
      }
    }

    private static @Nullable HikariDataSource unwrap(DataSource dataSource) {
      return DataSourceUnwrapper.unwrap(
          dataSource, HikariConfigMXBean.class, HikariDataSource.class);
    }
  }
}
