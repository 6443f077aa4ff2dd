package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The worker never migrates: on a database without the conveyor schema it refuses to start (with
 * the queue's message) and leaves the database as it found it.
 */
class SchemaCheckTests {

  static final TestDatabase db = TestDatabase.get();

  @Test
  void refusesToStartOnADatabaseWithoutTheQueueSchemaAndMigratesNothing() {
    String name = "worker_empty_" + System.nanoTime();
    JdbcClient.create(db.dataSource()).sql("CREATE DATABASE " + name).update();
    String url = withDatabase(db.url(), name);

    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(ConveyorWorkerApplication.class)
                    .run(
                        "--spring.config.location=classpath:/application.yml",
                        "--server.port=0",
                        "--spring.datasource.url=" + url,
                        "--spring.datasource.username=" + db.user(),
                        "--spring.datasource.password=" + db.password(),
                        "--conveyor.worker-service.api-base-url=http://localhost:1",
                        "--conveyor.worker-service.callback-secret=" + EndToEndTests.SECRET))
        .hasStackTraceContaining("schema is missing");

    try (HikariDataSource empty = new HikariDataSource()) {
      empty.setJdbcUrl(url);
      empty.setUsername(db.user());
      empty.setPassword(db.password());
      assertThat(
              JdbcClient.create(empty)
                  .sql(
                      "SELECT count(*) FROM information_schema.tables"
                          + " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
                  .query(Long.class)
                  .single())
          .isZero();
    }
  }

  /** The same server, another database: {@code jdbc:postgresql://host:port/<name>?params}. */
  private static String withDatabase(String url, String name) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String params = query < 0 ? "" : url.substring(query);
    return base.substring(0, base.lastIndexOf('/') + 1) + name + params;
  }
}
