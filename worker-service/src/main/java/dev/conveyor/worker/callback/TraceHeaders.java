package dev.conveyor.worker.callback;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.function.BiConsumer;

/**
 * The current trace's propagation headers for an outgoing callback or client webhook: W3C {@code
 * traceparent} (and {@code tracestate}), so the receiver continues the job's trace. None when
 * tracing is off or no span is current. They are not signed, and need not be: the Standard Webhooks
 * signature covers the id, the timestamp and the body, and a forged traceparent only misfiles a
 * span. Thread-safe.
 */
final class TraceHeaders {

  /** Adds nothing: for senders built without tracing (tests). */
  static final TraceHeaders NONE = new TraceHeaders(Tracer.NOOP, Propagator.NOOP);

  private final Tracer tracer;
  private final Propagator propagator;

  TraceHeaders(Tracer tracer, Propagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /** Passes each header of the current span's context to {@code header}. */
  void forEach(BiConsumer<String, String> header) {
    Span span = tracer.currentSpan();
    if (span == null || span.isNoop()) {
      return;
    }
    propagator.inject(
        span.context(), header, (carrier, name, value) -> carrier.accept(name, value));
  }
}
