package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class EnqueueTests extends QueueTestBase {

  private final TransactionTemplate tx =
      new TransactionTemplate(new DataSourceTransactionManager(dataSource));

  @Nested
  class Transactions {

    @Test
    void rollbackLeavesNoJob() {
      assertThatThrownBy(
              () ->
                  tx.executeWithoutResult(
                      status -> {
                        queue.enqueue(JobRequest.of("report.generate", "{}"));
                        assertThat(count("true")).as("visible inside the transaction").isOne();
                        throw new IllegalStateException("business insert failed");
                      }))
          .hasMessage("business insert failed");

      assertThat(count("true")).isZero();
    }

    @Test
    void enqueueJoinsTheCallersTransaction() {
      tx.executeWithoutResult(
          status -> {
            Enqueued e = queue.enqueue(JobRequest.of("report.generate", "{}"));
            // The caller's own connection sees the job before commit.
            assertThat(queue.find(e.job().id())).isPresent();
            status.setRollbackOnly();
          });
      assertThat(count("true")).isZero();
    }

    @Test
    void commitWakesAWorkerThroughNotify() {
      List<Instant> started = new CopyOnWriteArrayList<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 2)).withPollInterval(Duration.ofSeconds(10)))
              .handler(handler("wake", ctx -> started.add(Instant.now()))));
      awaitListening();

      Instant committed =
          tx.execute(
              status -> {
                queue.enqueue(JobRequest.of("wake", "{}"));
                return Instant.now();
              });

      await().atMost(Duration.ofSeconds(3)).until(() -> !started.isEmpty());
      assertThat(Duration.between(committed, started.getFirst())).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Nested
  class Options {

    @Test
    void storesEveryOption() {
      Instant runAt = Instant.now().plusSeconds(3600);
      Job job =
          queue
              .enqueue(
                  JobRequest.of("email.send", "{\"to\": \"a@example.com\"}")
                      .withQueue("mail")
                      .withPriority(-3)
                      .withRunAt(runAt)
                      .withMaxAttempts(4)
                      .withUniqueKey("welcome:1"))
              .job();

      assertThat(job.queue()).isEqualTo("mail");
      assertThat(job.kind()).isEqualTo("email.send");
      assertThat(job.payload()).isEqualTo("{\"to\": \"a@example.com\"}");
      assertThat(job.priority()).isEqualTo(-3);
      assertThat(Duration.between(job.runAt(), runAt).abs()).isLessThan(Duration.ofMillis(1));
      assertThat(job.maxAttempts()).isEqualTo(4);
      assertThat(job.uniqueKey()).isEqualTo("welcome:1");
      assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job.attempt()).isZero();
    }

    @Test
    void invalidJsonPayloadIsRefusedAndNothingIsStored() {
      assertThatThrownBy(() -> queue.enqueue(JobRequest.of("k", "{not json")))
          .isInstanceOf(DataIntegrityViolationException.class);
      assertThat(count("true")).isZero();
    }

    @Test
    void requestValidatesItsFields() {
      assertThatThrownBy(() -> JobRequest.of(" ", "{}")).hasMessageContaining("kind");
      assertThatThrownBy(() -> JobRequest.of("k", "{}").withQueue(""))
          .hasMessageContaining("queue");
      assertThatThrownBy(() -> JobRequest.of("k", "{}").withMaxAttempts(0))
          .hasMessageContaining("maxAttempts");
      assertThatThrownBy(() -> JobRequest.of("k", "{}").withPriority(40_000))
          .hasMessageContaining("priority");
    }
  }

  @Nested
  class Batches {

    @Test
    void enqueueAllReturnsJobsInRequestOrder() {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        requests.add(JobRequest.of("batch", "{\"n\": " + i + "}"));
      }
      List<Enqueued> result = queue.enqueueAll(requests);

      assertThat(result).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertThat(result.get(i).job().payload()).isEqualTo("{\"n\": " + i + "}");
        assertThat(result.get(i).duplicate()).isFalse();
      }
      assertThat(count("kind = 'batch'")).isEqualTo(500);
    }

    @Test
    void duplicateKeysInOneBatchAddOneJob() {
      List<Enqueued> result =
          queue.enqueueAll(
              List.of(
                  JobRequest.of("k", "{\"n\": 1}").withUniqueKey("same"),
                  JobRequest.of("k", "{\"n\": 2}"),
                  JobRequest.of("k", "{\"n\": 3}").withUniqueKey("same")));

      assertThat(result.get(0).duplicate()).isFalse();
      assertThat(result.get(1).job().payload()).isEqualTo("{\"n\": 2}");
      assertThat(result.get(2).duplicate()).isTrue();
      assertThat(result.get(2).job().id()).isEqualTo(result.get(0).job().id());
      assertThat(count("true")).isEqualTo(2);
    }
  }

  @Nested
  class UniqueKeys {

    @Test
    void unfinishedJobIsReturnedInsteadOfADuplicate() {
      Enqueued first = queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("report:1"));
      Enqueued second =
          queue.enqueue(JobRequest.of("k", "{\"other\": true}").withUniqueKey("report:1"));

      assertThat(second.duplicate()).isTrue();
      assertThat(second.job().id()).isEqualTo(first.job().id());
      assertThat(second.job().payload()).isEqualTo("{}");
    }

    @Test
    void finishedJobFreesItsKey() {
      Enqueued first = queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("report:2"));
      assertThat(queue.cancel(first.job().id())).isEqualTo(CancelResult.CANCELLED);

      Enqueued second = queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("report:2"));

      assertThat(second.duplicate()).isFalse();
      assertThat(second.job().id()).isNotEqualTo(first.job().id());
      assertThat(queue.findByUniqueKey("report:2")).map(Job::id).contains(second.job().id());
    }

    @Test
    void twentyConcurrentTransactionsEnqueueOneKeyAsOneJob() throws Exception {
      int threads = 20;
      CyclicBarrier barrier = new CyclicBarrier(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Enqueued>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          futures.add(
              pool.submit(
                  () -> {
                    barrier.await();
                    return tx.execute(
                        status -> queue.enqueue(JobRequest.of("k", "{}").withUniqueKey("hot")));
                  }));
        }
        List<Enqueued> results = new ArrayList<>();
        for (Future<Enqueued> f : futures) {
          results.add(f.get());
        }

        Set<Long> ids = results.stream().map(e -> e.job().id()).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(results.stream().filter(e -> !e.duplicate())).hasSize(1);
        assertThat(count("unique_key = 'hot'")).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  class SqlFunction {

    @Test
    void enqueueFunctionWakesAWorker() {
      List<Instant> started = new CopyOnWriteArrayList<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 2)).withPollInterval(Duration.ofSeconds(10)))
              .handler(handler("from.sql", ctx -> started.add(Instant.now()))));
      awaitListening();

      Instant sent = Instant.now();
      jdbc.sql("SELECT id FROM conveyor.enqueue('from.sql', '{\"x\": 1}')")
          .query(Long.class)
          .single();

      await().atMost(Duration.ofSeconds(3)).until(() -> !started.isEmpty());
      assertThat(Duration.between(sent, started.getFirst())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void enqueueFunctionHonoursUniqueKeysAndBatches() {
      long first =
          jdbc.sql("SELECT id FROM conveyor.enqueue(kind => 'k', unique_key => 'fn')")
              .query(Long.class)
              .single();
      long again =
          jdbc.sql("SELECT id FROM conveyor.enqueue(kind => 'k', unique_key => 'fn')")
              .query(Long.class)
              .single();
      List<Long> batch =
          jdbc.sql(
                  "SELECT id FROM conveyor.enqueue_batch("
                      + "'[{\"kind\": \"a\"}, {\"kind\": \"b\", \"priority\": 2, \"queue\": \"q\"}]')")
              .query(Long.class)
              .list();

      assertThat(again).isEqualTo(first);
      assertThat(batch).hasSize(2);
      assertThat(job(batch.get(1)).queue()).isEqualTo("q");
      assertThat(job(batch.get(1)).priority()).isEqualTo(2);
      assertThatThrownBy(
              () ->
                  jdbc.sql("SELECT * FROM conveyor.enqueue_batch('[{\"payload\": {}}]')")
                      .query()
                      .listOfRows())
          .hasMessageContaining("kind");
    }
  }
}
