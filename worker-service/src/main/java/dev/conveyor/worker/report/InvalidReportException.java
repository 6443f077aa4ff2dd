package dev.conveyor.worker.report;

/**
 * A report this worker cannot produce whatever it retries (unknown type, parameters it cannot use,
 * data too large for the format). The job is discarded and the report fails with {@link #code()}.
 */
final class InvalidReportException extends RuntimeException {

  private final String code;

  InvalidReportException(String code, String message) {
    super(message);
    this.code = code;
  }

  String code() {
    return code;
  }
}
