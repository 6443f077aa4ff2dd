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

  /** The problem's detail for a body over this limit, the same wherever it is refused. */
  static String detail(long limit) {
    return "The request body is larger than " + limit + " bytes";
  }
}
