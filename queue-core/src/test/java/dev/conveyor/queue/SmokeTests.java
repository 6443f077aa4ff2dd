package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class SmokeTests extends QueueTestBase {

  @Test
  void enqueuedJobRunsAndCompletes() {
    Map<Long, Integer> runs = new ConcurrentHashMap<>();
    JobHandler handler =
        new JobHandler() {
          public String kind() {
            return "smoke";
          }

          public void handle(JobContext ctx) {
            runs.merge(ctx.jobId(), 1, Integer::sum);
          }
        };
    start(WorkerRuntime.builder(dataSource).config(testConfig(Map.of("default", 4))).handler(handler));
    Enqueued e = queue.enqueue(JobRequest.of("smoke", "{\"a\":1}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> job(e.job().id()).state() == JobState.COMPLETED);
    assertThat(runs).containsExactly(Map.entry(e.job().id(), 1));
  }
}
