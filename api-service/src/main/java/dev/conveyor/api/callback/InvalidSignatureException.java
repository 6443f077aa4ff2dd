package dev.conveyor.api.callback;

/** A callback whose signature headers do not verify; the message says which check failed. */
final class InvalidSignatureException extends Exception {

  InvalidSignatureException(String message) {
    super(message, null, false, false);
  }
}
