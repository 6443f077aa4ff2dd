package dev.conveyor.api.web;

import java.io.IOException;

/** Thrown while reading a request body that turns out larger than its limit (chunked uploads). */
final class BodyTooLargeException extends IOException {

  private final long limit;

  BodyTooLargeException(long limit) {
    super("request body larger than " + limit + " bytes");
    this.limit = limit;
  }

  long limit() {
    return limit;
  }
}
