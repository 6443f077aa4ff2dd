package dev.conveyor.api.web;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * An error a feature answers with an RFC 9457 problem: the status, a {@code detail} fit for the
 * client, and for invalid input the {@code errors} naming each field. Never carries internals.
 */
public class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final List<FieldProblem> errors;
  private final @Nullable Duration retryAfter;

  public ApiException(HttpStatus status, String detail) {
    this(status, detail, List.of());
  }

  public ApiException(HttpStatus status, String detail, List<FieldProblem> errors) {
    this(status, detail, errors, null);
  }

  private ApiException(
      HttpStatus status, String detail, List<FieldProblem> errors, @Nullable Duration retryAfter) {
    super(detail, null, false, false);
    this.status = status;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  /** A limit the client hit and may try again after: 429 with {@code Retry-After}. */
  public static ApiException tooManyRequests(String detail, Duration retryAfter) {
    return new ApiException(HttpStatus.TOO_MANY_REQUESTS, detail, List.of(), retryAfter);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(HttpStatus.NOT_FOUND, detail);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(HttpStatus.CONFLICT, detail);
  }

  /** Well-formed input that breaks a rule: 422, naming every offending field. */
  public static ApiException invalid(List<FieldProblem> errors) {
    return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, describe(errors), errors);
  }

  /** Input that cannot be read at all (a malformed header or query parameter): 400. */
  public static ApiException badRequest(String field, String message) {
    List<FieldProblem> errors = List.of(new FieldProblem(field, message));
    return new ApiException(HttpStatus.BAD_REQUEST, describe(errors), errors);
  }

  static String describe(List<FieldProblem> errors) {
    return errors.stream().map(FieldProblem::toString).collect(Collectors.joining("; "));
  }

  public HttpStatus status() {
    return status;
  }

  public List<FieldProblem> errors() {
    return errors;
  }

  /** How long the client should wait before trying again, if the answer says so. */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
