package dev.conveyor.worker.callback;

import org.jspecify.annotations.Nullable;

/** A delivery that may succeed later (timeout, I/O error, 408, 429, 5xx): retried with backoff. */
final class DeliveryFailedException extends RuntimeException {
  DeliveryFailedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
