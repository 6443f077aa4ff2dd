package dev.conveyor.queue.autoconfigure;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.JobTracing;
import dev.conveyor.queue.TraceCarrier;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The queue's {@link JobTracing} hook on Micrometer Tracing (with the OpenTelemetry or Brave
 * bridge). Per job, in the job's trace:
 *
 * <ul>
 *   <li>{@value #ENQUEUE} (producer), a child of the enqueueing thread's current span, around the
 *       insert; its context is what the job stores (the propagator's fields, W3C {@code
 *       traceparent} and {@code tracestate} by default). No current span: nothing is stored, and
 *       the job starts a trace of its own when it runs.
 *   <li>{@value #WAIT}, from the job's {@code run_at} (its enqueue, or the end of a delay or
 *       backoff) to its claim, both in database time: the time it sat in the queue;
 *   <li>a consumer span named after the job's kind (e.g. {@code report.generate}) around the
 *       handler, current on the handler's thread, so what the handler does (HTTP calls, further
 *       enqueues) joins the trace.
 * </ul>
 *
 * The wait and handler spans are children of the stored context, so a malformed or missing one
 * starts a new trace; nothing here fails a job. Every span carries {@value #JOB_ID}, {@value
 * #QUEUE} and {@value #KIND}; the wait and handler spans also {@value #ATTEMPT}. Thread-safe.
 */
public final class MicrometerJobTracing implements JobTracing {

  /** Span name of an enqueue. */
  public static final String ENQUEUE = "conveyor.job.enqueue";

  /** Span name of a job's time in the queue. */
  public static final String WAIT = "conveyor.job.wait";

  /** Attribute: the job's id. */
  public static final String JOB_ID = "conveyor.job.id";

  /** Attribute: the job's queue. */
  public static final String QUEUE = "conveyor.job.queue";

  /** Attribute: the job's kind. */
  public static final String KIND = "conveyor.job.kind";

  /** Attribute: the attempt's number. */
  public static final String ATTEMPT = "conveyor.job.attempt";

  /** Attribute: how the attempt ended (the {@code conveyor.job.execute} outcome tag). */
  public static final String OUTCOME = "conveyor.job.outcome";

  private final Tracer tracer;
  private final Propagator propagator;

  public MicrometerJobTracing(Tracer tracer, Propagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  @Override
  public @Nullable Enqueue startEnqueue(JobRequest request) {
    Span parent = tracer.currentSpan();
    if (parent == null || parent.isNoop()) {
      return null;
    }
    Span span =
        tracer
            .spanBuilder()
            .setParent(parent.context())
            .name(ENQUEUE)
            .kind(Span.Kind.PRODUCER)
            .tag(QUEUE, request.queue())
            .tag(KIND, request.kind())
            .start();
    Map<String, String> fields = new LinkedHashMap<>();
    propagator.inject(span.context(), fields, Map::put);
    String context = TraceCarrier.format(fields);
    return new Enqueue() {
      @Override
      public @Nullable String context() {
        return context;
      }

      @Override
      public void end(@Nullable Job job, @Nullable Throwable error) {
        if (job != null) {
          span.tag(JOB_ID, job.id());
        }
        if (error != null) {
          span.error(error);
        }
        span.end();
      }
    };
  }

  @Override
  public Execution startExecution(Job job) {
    Map<String, String> stored = TraceCarrier.parse(job.traceContext());
    Instant claimed = job.startedAt();
    if (claimed != null && !claimed.isBefore(job.runAt())) {
      tagged(continuing(stored), job)
          .name(WAIT)
          .startTimestamp(nanos(job.runAt()), TimeUnit.NANOSECONDS)
          .start()
          .end(nanos(claimed), TimeUnit.NANOSECONDS);
    }
    Span span = tagged(continuing(stored), job).name(job.kind()).kind(Span.Kind.CONSUMER).start();
    Tracer.SpanInScope scope = tracer.withSpan(span);
    return (outcome, error) -> {
      span.tag(OUTCOME, outcome);
      if (error != null) {
        span.error(error);
      }
      scope.close();
      span.end();
    };
  }

  /** A span builder whose parent is the stored context, or a new trace without (a valid) one. */
  private Span.Builder continuing(Map<String, String> stored) {
    return stored.isEmpty()
        ? tracer.spanBuilder().setNoParent()
        : propagator.extract(stored, Map::get);
  }

  private static Span.Builder tagged(Span.Builder builder, Job job) {
    return builder
        .tag(JOB_ID, job.id())
        .tag(QUEUE, job.queue())
        .tag(KIND, job.kind())
        .tag(ATTEMPT, job.attempt());
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
