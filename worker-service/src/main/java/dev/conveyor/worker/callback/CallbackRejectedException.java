package dev.conveyor.worker.callback;

/**
 * The API answered a callback with a status that resending the same body as it is cannot change
 * (3xx, or a 4xx other than 408 and 429): a 401 for a signature it does not accept (a clock more
 * than the tolerance off, a secret it does not list yet), or a 4xx for an event it cannot read.
 * Unlike a client's webhook, a callback to our own API is still retried (a misconfiguration gets
 * fixed, and the report's result must not be lost meanwhile): see {@link DeliverCallbackHandler}.
 */
final class CallbackRejectedException extends RuntimeException {

  private final int status;
  private final String reason;

  /**
   * @param status the API's HTTP status
   * @param reason why, as the API said it (the problem's {@code detail}, else an excerpt of the
   *     answer); the same for every rejection of the same cause
   * @param message the job's error: where, the status and the reason
   */
  CallbackRejectedException(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  int status() {
    return status;
  }

  String reason() {
    return reason;
  }
}
