package dev.conveyor.launcher;

/** A reason the stack cannot start or keep running; the message is written for the user. */
final class LaunchException extends RuntimeException {

  LaunchException(String message) {
    super(message);
  }

  LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
