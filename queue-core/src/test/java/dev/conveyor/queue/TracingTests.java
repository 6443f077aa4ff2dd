package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The {@link JobTracing} hook, without Spring and without a tracer: a recording hook whose "current
 * trace" is a thread-local, as a tracer's would be.
 */
class TracingTests extends QueueTestBase {

  static final String PARENT =
      "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  /** Records every call; stores "the current trace" of the enqueueing thread, if it has one. */
  static final class RecordingTracing implements JobTracing {
    final ThreadLocal<@Nullable String> current = new ThreadLocal<>();
    final List<JobRequest> enqueues = new CopyOnWriteArrayList<>();
    final List<Job> enqueued = new CopyOnWriteArrayList<>();
    final List<Job> executions = new CopyOnWriteArrayList<>();
    final List<Thread> executionThreads = new CopyOnWriteArrayList<>();
    final List<String> ends = new CopyOnWriteArrayList<>();

    @Override
    public @Nullable Enqueue startEnqueue(JobRequest request) {
      enqueues.add(request);
      String context = current.get();
      if (context == null) {
        return null;
      }
      return new Enqueue() {
        @Override
        public String context() {
          return context;
        }

        @Override
        public void end(@Nullable Job job, @Nullable Throwable error) {
          enqueued.add(job);
        }
      };
    }

    @Override
    public Execution startExecution(Job job) {
      executions.add(job);
      executionThreads.add(Thread.currentThread());
      return (outcome, error) ->
          ends.add(outcome + (error == null ? "" : ":" + error.getClass().getSimpleName()));
    }
  }

  private final RecordingTracing tracing = new RecordingTracing();
  private final JobQueue tracedQueue =
      new JobQueue(dataSource, QueueMetrics.simple(), null, null, tracing);

  @Nested
  class WithAHook {

    @Test
    void theHandlersExecutionContinuesTheContextStoredAtEnqueue() {
      List<Thread> handlerThreads = new CopyOnWriteArrayList<>();
      tracing.current.set(PARENT);
      long id;
      try {
        id = tracedQueue.enqueue(JobRequest.of("traced", "{}")).job().id();
      } finally {
        tracing.current.remove();
      }
      assertThat(tracing.enqueued).extracting(Job::id).containsExactly(id);
      assertThat(queue.find(id).orElseThrow().traceContext()).isEqualTo(PARENT);

      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 2)))
              .tracing(tracing)
              .handler(handler("traced", ctx -> handlerThreads.add(Thread.currentThread()))));

      await().atMost(Duration.ofSeconds(10)).until(() -> tracing.ends.size() == 1);
      Job claimed = tracing.executions.getFirst();
      assertThat(claimed.id()).isEqualTo(id);
      assertThat(claimed.traceContext()).isEqualTo(PARENT);
      // What a queue-wait span needs: both ends, in database time.
      assertThat(claimed.startedAt()).isNotNull().isAfterOrEqualTo(claimed.runAt());
      assertThat(tracing.ends).containsExactly("completed");
      assertThat(tracing.executionThreads).isEqualTo(handlerThreads);
    }

    @Test
    void aFailedAttemptEndsWithItsError() {
      tracing.current.set(PARENT);
      try {
        tracedQueue.enqueue(JobRequest.of("failing", "{}").withMaxAttempts(1));
      } finally {
        tracing.current.remove();
      }
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .tracing(tracing)
              .handler(
                  handler(
                      "failing",
                      ctx -> {
                        throw new IllegalStateException("boom");
                      })));

      await().atMost(Duration.ofSeconds(10)).until(() -> tracing.ends.size() == 1);
      assertThat(tracing.ends).containsExactly("failed:IllegalStateException");
    }

    @Test
    void aRequestsOwnContextIsStoredAsGivenAndOnlyUntracedRequestsAskTheHook() {
      String own = "traceparent: 00-11111111111111111111111111111111-2222222222222222-01";
      tracing.current.set(PARENT);
      List<Enqueued> results;
      try {
        results =
            tracedQueue.enqueueAll(
                List.of(JobRequest.of("a", "{}").withTraceContext(own), JobRequest.of("b", "{}")));
      } finally {
        tracing.current.remove();
      }
      assertThat(results)
          .extracting(r -> queue.find(r.job().id()).orElseThrow().traceContext())
          .containsExactly(own, PARENT);
      assertThat(tracing.enqueues).extracting(JobRequest::kind).containsExactly("b");
    }

    @Test
    void withoutACurrentTraceNothingIsStored() {
      long id = tracedQueue.enqueue(JobRequest.of("untraced", "{}")).job().id();
      assertThat(queue.find(id).orElseThrow().traceContext()).isNull();
    }
  }

  @Nested
  class WithoutAHook {

    @Test
    void jobsRunWithNoContextAndTheHookIsNeverAsked() {
      List<@Nullable String> seen = new CopyOnWriteArrayList<>();
      // A current trace exists on this thread, but neither the queue nor the runtime has the hook.
      tracing.current.set(PARENT);
      try {
        queue.enqueue(JobRequest.of("plain", "{}"));
      } finally {
        tracing.current.remove();
      }
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)))
              .handler(handler("plain", ctx -> seen.add(ctx.job().traceContext()))));

      await().atMost(Duration.ofSeconds(10)).until(() -> count("state = 'completed'") == 1);
      assertThat(seen).containsExactly((String) null);
      assertThat(tracing.enqueues).isEmpty();
      assertThat(tracing.executions).isEmpty();
    }

    @Test
    void theSqlEnqueueFunctionsStoreAProducersTraceContext() {
      long one =
          jdbc.sql("SELECT id FROM conveyor.enqueue(kind => 'sql', trace_context => :t)")
              .param("t", PARENT)
              .query(Long.class)
              .single();
      long batched =
          jdbc.sql("SELECT id FROM conveyor.enqueue_batch(CAST(:jobs AS jsonb))")
              .param("jobs", "[{\"kind\": \"sql\", \"trace_context\": \"" + PARENT + "\"}]")
              .query(Long.class)
              .single();
      assertThat(queue.find(one).orElseThrow().traceContext()).isEqualTo(PARENT);
      assertThat(queue.find(batched).orElseThrow().traceContext()).isEqualTo(PARENT);
    }
  }

  @Nested
  class Carrier {

    @Test
    void fieldsRoundTripAsHeaderLines() {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      fields.put("Tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
      String text = TraceCarrier.format(fields);
      assertThat(text).isEqualTo(PARENT + "\ntracestate: congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
      assertThat(TraceCarrier.parse(text))
          .containsExactly(
              Map.entry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
              Map.entry("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
    }

    @Test
    void unwritableFieldsAreLeftOutAndUnreadableLinesSkipped() {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("bad\nname", "x");
      fields.put("ok", "a\nforged: line");
      assertThat(TraceCarrier.format(fields)).isNull();
      assertThat(TraceCarrier.format(Map.of("big", "x".repeat(TraceCarrier.MAX_LENGTH)))).isNull();
      assertThat(TraceCarrier.parse("no colon here\n: empty name\ntraceparent: 00-x"))
          .containsExactly(Map.entry("traceparent", "00-x"));
      assertThat(TraceCarrier.parse(null)).isEmpty();
    }
  }
}
