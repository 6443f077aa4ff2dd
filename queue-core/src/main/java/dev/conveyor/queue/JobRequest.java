package dev.conveyor.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to enqueue. Immutable; build one with {@link #of(String, String)} and the {@code with…}
 * methods.
 *
 * <pre>{@code
 * JobRequest request = JobRequest.of("report.generate", "{\"reportId\":\"…\"}")
 *     .withQueue("reports")
 *     .withPriority(-1)
 *     .withUniqueKey(reportId.toString());
 * }</pre>
 *
 * @param kind stable job kind, 1 to 128 characters (e.g. {@code report.generate}); picks the
 *     handler
 * @param payload the job's arguments as JSON text (must be valid JSON; PostgreSQL rejects anything
 *     else when the job is inserted)
 * @param queue queue name, 1 to 128 characters; {@value #DEFAULT_QUEUE} by default
 * @param priority lower runs first, from -32768 to 32767; 0 by default
 * @param runAt not run before this instant; {@code null} means now (database time)
 * @param maxAttempts attempts before the job is discarded, at least 1; {@value
 *     #DEFAULT_MAX_ATTEMPTS} by default
 * @param uniqueKey if set, enqueueing while an unfinished job holds the same key returns that job
 *     instead of adding a duplicate; 1 to 512 characters
 * @param partitionKey what a per-key concurrency limit counts this job by; 1 to 255 characters
 * @param traceContext the trace this job continues, in {@link TraceCarrier}'s format (e.g. {@code
 *     traceparent: 00-…-01}); {@code null} by default, in which case a {@link JobQueue} with a
 *     {@link JobTracing} stores the enqueueing thread's current trace, if any
 */
public record JobRequest(
    String kind,
    String payload,
    String queue,
    int priority,
    @Nullable Instant runAt,
    int maxAttempts,
    @Nullable String uniqueKey,
    @Nullable String partitionKey,
    @Nullable String traceContext) {

  /** The queue used when none is given. */
  public static final String DEFAULT_QUEUE = "default";

  /** Attempts allowed when none is given (the schema's default too). */
  public static final int DEFAULT_MAX_ATTEMPTS = 20;

  public JobRequest {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(queue, "queue");
    requireLength("kind", kind, 128);
    requireLength("queue", queue, 128);
    if (payload.isBlank()) {
      throw new IllegalArgumentException("payload must be JSON text, e.g. {}");
    }
    if (priority < Short.MIN_VALUE || priority > Short.MAX_VALUE) {
      throw new IllegalArgumentException("priority must be between -32768 and 32767");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (uniqueKey != null) {
      requireLength("uniqueKey", uniqueKey, 512);
    }
    if (partitionKey != null) {
      requireLength("partitionKey", partitionKey, 255);
    }
    if (traceContext != null) {
      requireLength("traceContext", traceContext, TraceCarrier.MAX_LENGTH);
    }
  }

  /** A request for {@code kind} with a JSON payload and every other option at its default. */
  public static JobRequest of(String kind, String payloadJson) {
    return new JobRequest(
        kind, payloadJson, DEFAULT_QUEUE, 0, null, DEFAULT_MAX_ATTEMPTS, null, null, null);
  }

  public JobRequest withQueue(String queue) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  public JobRequest withPriority(int priority) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  public JobRequest withRunAt(@Nullable Instant runAt) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  /** Runs no sooner than {@code delay} from now (this JVM's clock). */
  public JobRequest withDelay(Duration delay) {
    return withRunAt(Instant.now().plus(delay));
  }

  public JobRequest withMaxAttempts(int maxAttempts) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  public JobRequest withUniqueKey(@Nullable String uniqueKey) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  public JobRequest withPartitionKey(@Nullable String partitionKey) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  /** Continues the trace given as {@link TraceCarrier} text; see {@link #traceContext()}. */
  public JobRequest withTraceContext(@Nullable String traceContext) {
    return new JobRequest(
        kind, payload, queue, priority, runAt, maxAttempts, uniqueKey, partitionKey, traceContext);
  }

  private static void requireLength(String field, String value, int max) {
    if (value.isBlank() || value.length() > max) {
      throw new IllegalArgumentException(
          field + " must be 1 to " + max + " characters and not blank");
    }
  }
}
