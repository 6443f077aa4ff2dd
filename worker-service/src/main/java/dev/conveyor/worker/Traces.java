package dev.conveyor.worker;

import io.opentelemetry.api.trace.Span;

/**
 * What the worker adds to the current span (the handler span the queue opens for each job when
 * tracing is on, see docs/operations.md, Tracing): the report a job works for, so a tracing backend
 * finds a report's trace by its id. A no-op when tracing is off (no span is current).
 */
public final class Traces {

  /** Span attribute: the report's id, on the API's and the worker's spans alike. */
  public static final String REPORT_ID = "conveyor.report.id";

  private Traces() {}

  /**
   * Marks a step on the current span (e.g. {@code report.generated}: the file is written; {@code
   * report.stored}: file, completion and callback committed).
   */
  public static void event(String name) {
    Span span = Span.current();
    if (span.isRecording()) {
      span.addEvent(name);
    }
  }

  /** Tags the current span with the report's id. */
  public static void reportId(Object reportId) {
    Span span = Span.current();
    if (span.isRecording()) {
      span.setAttribute(REPORT_ID, reportId.toString());
    }
  }
}
