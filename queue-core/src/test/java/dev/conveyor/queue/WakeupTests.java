package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class WakeupTests extends QueueTestBase {

  private final QueueMetrics metrics = QueueMetrics.simple();

  @Test
  void withATenSecondPollANewJobStartsWithinHalfASecondAlsoAfterTheListenConnectionIsKilled() {
    Map<Long, Instant> started = new ConcurrentHashMap<>();
    WorkerRuntime runtime =
        start(
            WorkerRuntime.builder(dataSource)
                .config(testConfig(Map.of("default", 2)).withPollInterval(Duration.ofSeconds(10)))
                .metrics(metrics)
                .handler(handler("ping", ctx -> started.put(ctx.jobId(), Instant.now()))));
    awaitListening();

    assertThat(pickupTime(started)).isLessThan(Duration.ofMillis(500));

    int killed =
        jdbc.sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE query LIKE 'LISTEN conveyor%' AND pid <> pg_backend_pid()")
            .query(Integer.class)
            .single();
    assertThat(killed).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> reconnects() >= 1 && Boolean.TRUE.equals(runtime.status().listenerConnected()));
    assertThat(pickupTime(started)).isLessThan(Duration.ofMillis(500));
  }

  private Duration pickupTime(Map<Long, Instant> started) {
    Instant before = Instant.now();
    long id = queue.enqueue(JobRequest.of("ping", "{}")).job().id();
    await().atMost(Duration.ofSeconds(3)).until(() -> started.containsKey(id));
    return Duration.between(before, started.get(id));
  }

  private double reconnects() {
    return metrics.registry().counter("conveyor.listener.reconnects").count();
  }
}
