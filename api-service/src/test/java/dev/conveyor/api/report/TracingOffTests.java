package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.queue.JobTracing;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * Tracing is off unless {@code management.tracing.export.enabled=true} (application.yml): the queue
 * gets no tracing hook, so no job stores a trace context and the queue spends nothing on tracing
 * per job; a client's {@code traceparent}, well formed or not, changes nothing. The tracing-on side
 * is worker-service's {@code EndToEndTests.Tracing}.
 */
class TracingOffTests extends ApiTestBase {

  private static final String BODY =
      "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}";

  @Autowired ApplicationContext context;

  @Test
  void theQueueHasNoTracingHookAndJobsStoreNoTraceContext() {
    assertThat(context.getBeanProvider(JobTracing.class).getIfAvailable()).isNull();
    Api client = newClient();

    Api.Response traced =
        client.post(
            "/api/reports",
            BODY,
            Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    Api.Response malformed =
        client.post("/api/reports", BODY, Map.of("traceparent", "00-not-a-trace-id-01"));

    assertThat(traced.status()).as(traced.body()).isEqualTo(202);
    assertThat(malformed.status()).as(malformed.body()).isEqualTo(202);
    for (Api.Response submitted : new Api.Response[] {traced, malformed}) {
      assertThat(
              jdbc.sql(
                      "SELECT j.trace_context IS NULL FROM conveyor.queue_job j"
                          + " JOIN reports r ON r.job_id = j.id WHERE r.id = CAST(:id AS uuid)")
                  .param("id", submitted.json().get("reportId").asString())
                  .query(Boolean.class)
                  .single())
          .isTrue();
    }
  }
}
