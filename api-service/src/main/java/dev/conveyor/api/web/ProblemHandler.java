package dev.conveyor.api.web;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every error a controller raises into an RFC 9457 problem: Spring MVC's own (404, 405, 415,
 * 406, missing parameters) through {@link ResponseEntityExceptionHandler}, unreadable JSON into a
 * 400 naming the field, {@link ApiException}s as they say, an unreachable database into a 503 with
 * {@code Retry-After} ({@link DatabaseUnavailable}), and anything unexpected into a 500 that
 * carries a reference to the log line instead of a stack trace.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ProblemDetail> api(ApiException e) {
    ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
    if (e.retryAfter() != null) {
      // Whole seconds, rounded up, at least 1: "Retry-After: 0" invites an immediate retry loop.
      long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
      response.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    }
    return response.body(e.problem());
  }

  @ExceptionHandler(BodyTooLargeException.class)
  ResponseEntity<ProblemDetail> tooLarge(BodyTooLargeException e) {
    return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
        .body(
            Problems.of(
                HttpStatus.CONTENT_TOO_LARGE, BodyTooLargeException.detail(e.limit()), List.of()));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> argumentType(MethodArgumentTypeMismatchException e) {
    String expected = e.getRequiredType() == null ? "a valid value" : describe(e.getRequiredType());
    List<FieldProblem> errors = List.of(new FieldProblem(e.getName(), "must be " + expected));
    return ResponseEntity.badRequest()
        .body(Problems.of(HttpStatus.BAD_REQUEST, ApiException.describe(errors), errors));
  }

  /** Spring MVC's own problems (404, 405, 406, 415, missing parameters …) get their kind's type. */
  @Override
  protected ResponseEntity<Object> createResponseEntity(
      @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return super.createResponseEntity(
        body instanceof ProblemDetail problem ? Problems.typed(problem) : body,
        headers,
        status,
        request);
  }

  @ExceptionHandler(Exception.class)
  @Nullable ResponseEntity<ProblemDetail> unexpected(Exception e) {
    if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
      // A client that went away mid-upload or mid-download: nobody to answer, nothing wrong here.
      log.debug("Client disconnected: {}", e.toString());
      return null;
    }
    if (DatabaseUnavailable.causes(e)) {
      log.warn("Database unavailable, answered 503: {}", DatabaseUnavailable.describe(e));
      return DatabaseUnavailable.answer();
    }
    String reference = UUID.randomUUID().toString();
    log.error("Unhandled error, reference {}", reference, e);
    return ResponseEntity.internalServerError()
        .body(
            Problems.of(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "An unexpected error occurred; reference " + reference,
                List.of()));
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    BodyTooLargeException tooLarge = cause(ex, BodyTooLargeException.class);
    if (tooLarge != null) {
      return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
          .body(
              Problems.of(
                  HttpStatus.CONTENT_TOO_LARGE,
                  BodyTooLargeException.detail(tooLarge.limit()),
                  List.of()));
    }
    JacksonException json = cause(ex, JacksonException.class);
    if (json == null) {
      return ResponseEntity.badRequest()
          .body(
              Problems.of(
                  HttpStatus.BAD_REQUEST, "The request body is missing or unreadable", List.of()));
    }
    return ResponseEntity.badRequest().body(jsonProblem(json));
  }

  /** JSON the application parsed itself (a signed body is verified before it is parsed). */
  @ExceptionHandler(JacksonException.class)
  ResponseEntity<ProblemDetail> json(JacksonException e) {
    return ResponseEntity.badRequest().body(jsonProblem(e));
  }

  private static ProblemDetail jsonProblem(JacksonException json) {
    if (json instanceof StreamReadException read && !(json instanceof MismatchedInputException)) {
      String where =
          read.getLocation() == null
              ? ""
              : " at line "
                  + read.getLocation().getLineNr()
                  + ", column "
                  + read.getLocation().getColumnNr();
      return Problems.of(HttpStatus.BAD_REQUEST, "Malformed JSON" + where, List.of());
    }
    if (!json.getPath().isEmpty()) {
      List<FieldProblem> errors = List.of(new FieldProblem(path(json), reason(json)));
      return Problems.of(HttpStatus.BAD_REQUEST, ApiException.describe(errors), errors);
    }
    return Problems.of(HttpStatus.BAD_REQUEST, "Malformed JSON", List.of());
  }

  private static String reason(JacksonException e) {
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field";
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      String expected = "must be " + describe(mismatch.getTargetType());
      return e instanceof InvalidFormatException invalid && invalid.getValue() != null
          ? expected + ", got '" + invalid.getValue() + "'"
          : expected;
    }
    return "has an invalid value";
  }

  /** A JSON path the client wrote, such as {@code parameters.candidates[0].name}. */
  private static String path(JacksonException e) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  /** Java types as a client would call them; never a class name. */
  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == UUID.class) {
      return "a UUID";
    }
    if (type == java.time.Instant.class || type == java.time.OffsetDateTime.class) {
      return "an ISO-8601 date-time with offset, e.g. 2030-01-31T08:00:00Z";
    }
    if (type == java.time.LocalDate.class) {
      return "an ISO-8601 date, e.g. 2030-01-31";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    if (type.isRecord() || java.util.Map.class.isAssignableFrom(type)) {
      return "a JSON object";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a JSON array";
    }
    return "a valid value";
  }

  private static <T extends Throwable> @Nullable T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
