package dev.conveyor.queue;

import org.jspecify.annotations.Nullable;

/**
 * The queue's optional tracing hook: what a {@link JobQueue} and a {@link
 * dev.conveyor.queue.runtime.WorkerRuntime} tell a tracer, so that one trace follows a job from the
 * code that enqueued it, through its time in the queue, into its handler. queue-core ships no
 * implementation and depends on no tracer: the Spring Boot starter adapts Micrometer Tracing to it
 * when tracing is enabled; a plain-Java application may adapt OpenTelemetry (or anything) itself
 * and pass it to {@code Conveyor.builder(…).tracing(…)}.
 *
 * <p><b>Without one</b> (the default) nothing is called and nothing is allocated per job: the queue
 * checks one final field against {@code null}.
 *
 * <p><b>Where the context lives.</b> The enqueue stores {@link Enqueue#context()} with the job
 * ({@link Job#traceContext()}, in {@link TraceCarrier}'s format), in the same row and transaction;
 * the claim returns it with the job; {@link #startExecution(Job)} continues it on the worker.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe. {@link #startEnqueue} runs on the
 * enqueueing thread (and may read its current span); {@link #startExecution} and {@link
 * Execution#end} run on the thread that runs the handler, the first just before it, the second just
 * after, so an implementation may make its span current in between.
 *
 * <p><b>Failures.</b> An exception thrown by the hook is not caught by the queue: implementations
 * must not throw (a tracer that fails should lose the span, not the job).
 */
public interface JobTracing {

  /**
   * Called before a job is inserted whose request carries no trace context of its own. Returns
   * {@code null} to store none (typically: no trace is current on this thread), else a started
   * enqueue whose {@link Enqueue#context()} is stored with the job.
   */
  @Nullable Enqueue startEnqueue(JobRequest request);

  /**
   * Called on the handler's thread just before the handler runs; {@code job} is as claimed, with
   * {@link Job#startedAt()} the claim's time and {@link Job#traceContext()} what the enqueue stored
   * (or {@code null}, or text a producer wrote that may be malformed: start a new trace then, never
   * fail). The time the job waited is {@link Job#runAt()} to {@link Job#startedAt()}, both database
   * time.
   */
  Execution startExecution(Job job);

  /** A traced enqueue. */
  interface Enqueue {

    /** The trace context to store with the job, in {@link TraceCarrier}'s format. */
    @Nullable String context();

    /**
     * The insert returned {@code job} (the existing holder for a taken unique key), or failed with
     * {@code error}.
     */
    void end(@Nullable Job job, @Nullable Throwable error);
  }

  /** A traced attempt. */
  interface Execution {

    /**
     * The handler returned; {@code outcome} is the {@code conveyor.job.execute} outcome tag
     * (completed, failed, discarded, snoozed or cancelled), {@code error} what it threw for a
     * failed or discarded attempt.
     */
    void end(String outcome, @Nullable Throwable error);
  }
}
