package dev.conveyor.contract;

/** A message whose signature headers do not verify; the message says which check failed. */
public final class InvalidSignatureException extends Exception {

  InvalidSignatureException(String message) {
    super(message, null, false, false);
  }
}
