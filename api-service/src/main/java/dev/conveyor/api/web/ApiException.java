package dev.conveyor.api.web;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * An error a feature answers with an RFC 9457 problem: the status, a {@code detail} fit for the
 * client, and for invalid input the {@code errors} naming each field. Never carries internals.
 */
public class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final @Nullable ProblemType type;
  private final List<FieldProblem> errors;
  private final @Nullable Duration retryAfter;

  /** A problem of the general kind of {@code status} ({@link ProblemType#forStatus}). */
  public ApiException(HttpStatus status, String detail) {
    this(status, detail, List.of());
  }

  public ApiException(HttpStatus status, String detail, List<FieldProblem> errors) {
    this(status, null, detail, errors, null);
  }

  /** A problem of a specific kind, such as {@link ProblemType#REPORT_NOT_READY}. */
  public ApiException(ProblemType type, String detail) {
    this(HttpStatus.valueOf(type.status()), type, detail, List.of(), null);
  }

  private ApiException(
      HttpStatus status,
      @Nullable ProblemType type,
      String detail,
      List<FieldProblem> errors,
      @Nullable Duration retryAfter) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  /** A limit the client hit and may try again after: 429 with {@code Retry-After}. */
  public static ApiException tooManyRequests(String detail, Duration retryAfter) {
    return new ApiException(
        HttpStatus.TOO_MANY_REQUESTS, ProblemType.RATE_LIMITED, detail, List.of(), retryAfter);
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

  /** The problem this exception answers with: its kind's type and title, its detail and errors. */
  public ProblemDetail problem() {
    return type == null
        ? Problems.of(status, getMessage(), errors)
        : Problems.of(type, getMessage(), errors);
  }

  public List<FieldProblem> errors() {
    return errors;
  }

  /** How long the client should wait before trying again, if the answer says so. */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
