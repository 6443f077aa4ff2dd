package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.migrations.QueueMigrations;
import dev.conveyor.testsupport.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * queue-core as a library, the way queue-core/README.md shows it: a fresh database that holds an
 * application's own Flyway-migrated table and only the queue's schema (no report tables), a plain
 * Java {@link Conveyor} without any Spring context, a job enqueued in the application's
 * transaction, run by a handler, and a graceful stop. The README's {@code java} blocks are this
 * class's {@code // README:} regions ({@link Readme}).
 */
class LibraryUseTests {

  private static final TestDatabase server = TestDatabase.get();
  private static HikariDataSource dataSource;

  /** Stands in for the application's mail client. */
  static final class Mailer {
    final List<String> sent = new CopyOnWriteArrayList<>();

    void send(String payload) {
      sent.add(payload);
    }
  }

  @BeforeAll
  static void freshDatabaseWithTheApplicationsOwnMigrations() {
    String database = "library_user_" + System.nanoTime();
    server.execute("CREATE DATABASE " + database);
    URI uri = URI.create(server.url().substring("jdbc:".length()));
    dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(
        "jdbc:postgresql://%s:%d/%s".formatted(uri.getHost(), uri.getPort(), database));
    dataSource.setUsername(server.user());
    dataSource.setPassword(server.password());
    dataSource.setMaximumPoolSize(6);
    // The application's own schema, in its own (default) Flyway history, before the queue's.
    Flyway.configure().dataSource(dataSource).locations("classpath:library-app").load().migrate();
  }

  @AfterAll
  static void closePool() {
    dataSource.close();
  }

  private static JdbcClient jdbc() {
    return JdbcClient.create(dataSource);
  }

  @Nested
  class Migrations {

    @Test
    void onlyTheQueueSchemaIsAppliedBesideTheApplicationsOwnHistory() {
      QueueMigrations.migrate(dataSource);

      assertThat(
              jdbc()
                  .sql(
                      "SELECT version FROM conveyor.flyway_schema_history WHERE version IS NOT NULL ORDER BY 1")
                  .query(String.class)
                  .list())
          .containsExactly(
              "001", "002", "003", "004", "005", "006", "007", "010", "011", "012", "013", "014");
      assertThat(jdbc().sql("SELECT version FROM flyway_schema_history").query(String.class).list())
          .as("the application's own history is untouched")
          .containsExactly("1");
      assertThat(
              jdbc()
                  .sql(
                      "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                          + " WHERE table_schema IN ('public', 'conveyor')"
                          + " AND table_name NOT LIKE 'flyway%'")
                  .query(String.class)
                  .list())
          .as("no report system table")
          .contains("public.account", "conveyor.queue_job")
          .doesNotContain("public.reports", "public.api_clients", "public.artifacts")
          .allMatch(t -> t.equals("public.account") || t.startsWith("conveyor."));
      assertThat(QueueMigrations.migrate(dataSource).migrationsExecuted).isZero();
    }

    @Test
    void bothMigrationsRunOnAPoolOfOneConnection() {
      // Flyway wants a second connection beside its first; from a pool of one that waited for the
      // pool's timeout (here 2 s, by default 30 s) and failed.
      for (boolean queueOnly : new boolean[] {true, false}) {
        String database = "one_connection_" + System.nanoTime();
        server.execute("CREATE DATABASE " + database);
        URI uri = URI.create(server.url().substring("jdbc:".length()));
        try (HikariDataSource one = new HikariDataSource()) {
          one.setJdbcUrl(
              "jdbc:postgresql://%s:%d/%s".formatted(uri.getHost(), uri.getPort(), database));
          one.setUsername(server.user());
          one.setPassword(server.password());
          one.setMaximumPoolSize(1);
          one.setConnectionTimeout(2000);
          if (queueOnly) {
            assertThat(QueueMigrations.migrate(one).migrationsExecuted)
                .as("V001-V007, V010-V014")
                .isEqualTo(12);
          } else {
            assertThat(dev.conveyor.migrations.Migrations.migrate(one).migrationsExecuted)
                .isGreaterThan(12);
          }
          assertThat(
                  JdbcClient.create(one)
                      .sql("SELECT count(*) FROM conveyor.queue_job")
                      .query(Long.class)
                      .single())
              .isZero();
        } finally {
          server.execute("DROP DATABASE " + database);
        }
      }
    }

    @Test
    void theQueueFilesAreTheOnesTheReportSystemAppliesUnderItsOwnHistory() {
      // Same versions and checksums in both histories: moving the files changed no byte.
      QueueMigrations.migrate(dataSource);
      String sql =
          "SELECT version || ':' || checksum FROM %s WHERE version < '100' AND success ORDER BY 1";
      assertThat(
              JdbcClient.create(server.dataSource())
                  .sql(sql.formatted("public.flyway_schema_history"))
                  .query(String.class)
                  .list())
          .isEqualTo(
              jdbc()
                  .sql(sql.formatted("conveyor.flyway_schema_history"))
                  .query(String.class)
                  .list());
    }
  }

  @Nested
  class PlainJava {

    private final Mailer mailer = new Mailer();

    @Test
    void aJobEnqueuedInTheApplicationsTransactionRunsAndTheWorkerStops() {
      String email = "ada@example.com";
      String json = "{\"to\":\"" + email + "\"}";

      // README:start-begin
      QueueMigrations.migrate(dataSource); // the conveyor schema, with a Flyway history of its own
      Conveyor conveyor =
          Conveyor.builder(dataSource)
              .queue("emails", 4) // up to 4 of its jobs at once in this process
              .handler(JobHandler.of("email.welcome", ctx -> mailer.send(ctx.payload())))
              .build();
      conveyor.start(); // checks the schema, then claims jobs
      // README:start-end
      try {
        // README:enqueue-begin
        conveyor.inTransaction(
            tx -> {
              tx.jdbc().sql("INSERT INTO account (email) VALUES (:e)").param("e", email).update();
              tx.enqueue(JobRequest.of("email.welcome", json).withQueue("emails"));
            }); // both commit, or neither
        // README:enqueue-end

        await().atMost(Duration.ofSeconds(10)).until(() -> mailer.sent.size() == 1);
        assertThat(mailer.sent).containsExactly("{\"to\": \"ada@example.com\"}");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    conveyor.queue().counts().stream()
                        .anyMatch(c -> c.state() == JobState.COMPLETED && c.jobs() == 1));
      } finally {
        // README:stop-begin
        conveyor.close(); // on shutdown: waits for running jobs, releases the rest
        // README:stop-end
      }
      assertThat(conveyor.worker()).isNotNull();
      assertThat(conveyor.worker().isRunning()).isFalse();
    }

    @Test
    void aRolledBackTransactionLeavesNeitherTheRowNorTheJob() {
      QueueMigrations.migrate(dataSource);
      Conveyor producer = Conveyor.builder(dataSource).build();
      assertThat(producer.worker()).as("no handler: a producer only").isNull();

      assertThatThrownBy(
              () ->
                  producer.inTransaction(
                      tx -> {
                        tx.jdbc()
                            .sql("INSERT INTO account (email) VALUES ('rolled@back')")
                            .update();
                        tx.enqueue(JobRequest.of("email.welcome", "{}").withQueue("rolled-back"));
                        throw new IllegalStateException("the application changed its mind");
                      }))
          .hasMessage("the application changed its mind");

      assertThat(
              jdbc()
                  .sql("SELECT count(*) FROM account WHERE email = 'rolled@back'")
                  .query(Long.class)
                  .single())
          .isZero();
      assertThat(
              jdbc()
                  .sql("SELECT count(*) FROM conveyor.queue_job WHERE queue = 'rolled-back'")
                  .query(Long.class)
                  .single())
          .isZero();
    }
  }

  /** queue-core/README.md's {@code java} blocks are this class's regions, in order. */
  @Nested
  class Readme {

    @Test
    void everyJavaBlockOfTheQueueCoreReadmeIsARegionOfThisTest() throws Exception {
      ReadmeSnippets.assertBlocksAreRegions(
          Path.of("README.md"),
          Path.of("src/test/java", LibraryUseTests.class.getName().replace('.', '/') + ".java"));
    }
  }
}
