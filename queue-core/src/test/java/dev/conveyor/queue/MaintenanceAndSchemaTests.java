package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.migrations.Migrations;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.maintenance.JobPruner;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class MaintenanceAndSchemaTests extends QueueTestBase {

  @Nested
  class Pruning {

    @Test
    void deletesFinishedJobsPastTheirRetentionOnly() {
      long oldCompleted = finished("completed", "2 days");
      long freshCompleted = finished("completed", "1 hour");
      long oldDead = finished("discarded", "2 days");
      long ancientDead = finished("discarded", "8 days");
      long ancientCancelled = finished("cancelled", "8 days");
      long waiting = queue.enqueue(JobRequest.of("k", "{}")).job().id();

      JobPruner pruner = pruner(Duration.ofMinutes(1), 2, 10);

      assertThat(pruner.pruneNow()).isEqualTo(3);
      assertThat(queue.find(oldCompleted)).isEmpty();
      assertThat(queue.find(ancientDead)).isEmpty();
      assertThat(queue.find(ancientCancelled)).isEmpty();
      assertThat(queue.find(freshCompleted)).isPresent();
      assertThat(queue.find(oldDead)).isPresent();
      assertThat(queue.find(waiting)).isPresent();
    }

    @Test
    void aPrunerThatEndsASweepAtItsBoundSweepsAgainAtOnceNotAfterTheInterval() {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        requests.add(JobRequest.of("old", "{}"));
      }
      queue.enqueueAll(requests);
      db.execute(
          "UPDATE conveyor.queue_job SET state = 'completed', finalized_at = now() - interval '2"
              + " days' WHERE kind = 'old'");
      long fresh = finished("completed", "1 hour");
      // Ten rows per sweep and a sweep every 2 s: ten sweeps, 20 s if each waited the interval.
      JobPruner pruner = pruner(Duration.ofSeconds(2), 5, 2);
      pruner.start();
      try {
        await()
            .atMost(Duration.ofSeconds(8))
            .untilAsserted(
                () ->
                    assertThat(
                            jdbc.sql("SELECT count(*) FROM conveyor.queue_job WHERE kind = 'old'")
                                .query(Long.class)
                                .single())
                        .isZero());
      } finally {
        pruner.stop();
      }
      assertThat(queue.find(fresh)).isPresent();
    }

    @Test
    void anInterruptedSweepStopsBetweenBatches() {
      long old = finished("completed", "2 days");
      JobPruner pruner = pruner(Duration.ofMinutes(1), 1, 10);
      Thread.currentThread().interrupt(); // what stop() does to the pruner's thread
      try {
        assertThat(pruner.pruneNow()).isZero();
      } finally {
        Thread.interrupted();
      }
      assertThat(queue.find(old)).isPresent();
      assertThat(pruner.pruneNow()).isEqualTo(1);
    }

    /** Completed jobs kept a day, discarded and cancelled ones seven. */
    private JobPruner pruner(Duration interval, int batchSize, int maxBatchesPerSweep) {
      return new JobPruner(
          new JobRepository(dataSource, null),
          new JobPruner.Config(
              interval, Duration.ofDays(1), Duration.ofDays(7), batchSize, maxBatchesPerSweep),
          InstantSource.system());
    }

    private long finished(String state, String age) {
      long id = queue.enqueue(JobRequest.of("k", "{}")).job().id();
      jdbc.sql(
              "UPDATE conveyor.queue_job SET state = :state,"
                  + " finalized_at = now() - CAST(:age AS interval) WHERE id = :id")
          .param("state", state)
          .param("age", age)
          .param("id", id)
          .update();
      return id;
    }
  }

  @Nested
  class Schema {

    @Test
    void theClaimQueryUsesItsPartialIndex() throws IOException {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        requests.add(JobRequest.of("k", "{}").withQueue(i % 10 == 0 ? "reports" : "other"));
      }
      queue.enqueueAll(requests);
      // Most rows finished, as in a queue with retention: the partial index stays small.
      db.execute(
          "UPDATE conveyor.queue_job SET state = 'completed', finalized_at = now() WHERE id % 4 <> 0");
      db.execute("ANALYZE conveyor.queue_job");

      String claim =
          resource("/dev/conveyor/queue/jdbc/claim_available.sql")
              .replace(":queue", "'reports'")
              .replace(":demand", "10")
              .replace(":owner", "'explain'")
              .replace(":lease_ms", "30000")
              .replace(":now", "NULL");
      List<String> plan = jdbc.sql("EXPLAIN " + claim).query(String.class).list();

      assertThat(String.join("\n", plan))
          .contains("queue_job_claim_idx")
          .doesNotContain("Seq Scan");
    }

    @Test
    void migrationsRefuseADatabaseNewerThanTheCode() {
      db.execute(
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " checksum, installed_by, execution_time, success)"
              + " VALUES (999, '999', 'from the future', 'SQL', 'V999__future.sql', 0, 'test', 0, true)");
      try {
        assertThatThrownBy(() -> Migrations.migrate(dataSource))
            .isInstanceOf(FlywayException.class)
            .hasMessageContaining("999");
      } finally {
        db.execute("DELETE FROM flyway_schema_history WHERE installed_rank = 999");
      }
      assertThat(Migrations.migrate(dataSource).migrationsExecuted).isZero();
    }

    /**
     * A role named like the queue schema (the usual {@code conveyor} user) sees that schema first
     * on its default search path ({@code "$user", public}) once it exists, so a second run must
     * still find the history table the first run created in {@code public}.
     */
    @Test
    void migratingAgainAsARoleNamedLikeTheQueueSchemaFindsTheHistory() {
      String database = "conveyor_role_" + System.nanoTime();
      db.execute(
          "DO $$ BEGIN CREATE ROLE conveyor LOGIN PASSWORD 'conveyor';"
              + " EXCEPTION WHEN duplicate_object THEN NULL; END $$");
      db.execute("CREATE DATABASE " + database + " OWNER conveyor");
      URI server = URI.create(db.url().substring("jdbc:".length()));
      DataSource asConveyor =
          new DriverManagerDataSource(
              "jdbc:postgresql://%s:%d/%s".formatted(server.getHost(), server.getPort(), database),
              "conveyor",
              "conveyor");

      assertThat(Migrations.migrate(asConveyor).migrationsExecuted).isPositive();
      assertThat(Migrations.migrate(asConveyor).migrationsExecuted).isZero();
    }

    @Test
    void aWorkerRefusesToStartOnAnUnknownQueueSchema() {
      WorkerRuntime runtime =
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(handler("k", ctx -> {}))
              .build();
      db.execute("UPDATE conveyor.queue_schema SET version = 99");
      try {
        assertThatThrownBy(runtime::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("schema version 99")
            .hasMessageContaining("deploy a newer worker");
      } finally {
        db.execute("UPDATE conveyor.queue_schema SET version = " + WorkerRuntime.SCHEMA_VERSION);
        runtime.stop(Duration.ZERO);
      }
    }
  }
}
