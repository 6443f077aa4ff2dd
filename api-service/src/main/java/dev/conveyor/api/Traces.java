package dev.conveyor.api;

import io.opentelemetry.api.trace.Span;

/**
 * What the API adds to the current span (the HTTP server span, which continues a request's W3C
 * {@code traceparent} when tracing is on, see docs/operations.md, Tracing): the report and the job
 * a request is about, so a tracing backend finds a report's trace by its id. A no-op when tracing
 * is off (no span is current).
 */
public final class Traces {

  /** Span attribute: the report's id (the worker's spans carry it too). */
  public static final String REPORT_ID = "conveyor.report.id";

  /** Span attribute: the queue job's id (as on the queue's own spans). */
  public static final String JOB_ID = "conveyor.job.id";

  private Traces() {}

  /** Tags the current span with the report's id and its job's. */
  public static void report(Object reportId, long jobId) {
    Span span = Span.current();
    if (span.isRecording()) {
      span.setAttribute(REPORT_ID, reportId.toString());
      span.setAttribute(JOB_ID, jobId);
    }
  }
}
