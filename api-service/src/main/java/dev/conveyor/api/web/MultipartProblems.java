package dev.conveyor.api.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * A multipart body that cannot be parsed is the client's error: a 400 problem naming what is wrong
 * ({@code Content-Type} without a boundary, a body cut off before its closing boundary, a part's
 * header section that never ends), not the 500 that Spring MVC's {@link MultipartException} would
 * otherwise become. Spring parses the body before any handler runs, so this is the one place to see
 * it. A body over the upload limit stays the 413 Spring answers.
 *
 * <p>Ordered before {@link ProblemHandler}, whose catch-all would take these first.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class MultipartProblems {

  private static final Logger log = LoggerFactory.getLogger(MultipartProblems.class);

  @ExceptionHandler(MultipartException.class)
  @Nullable ResponseEntity<ProblemDetail> unreadable(
      MultipartException e, HttpServletRequest request) {
    if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
      // The client went away mid-upload: nobody to answer.
      log.debug("Client disconnected during a multipart upload: {}", e.toString());
      return null;
    }
    FieldProblem problem = headerSectionTooLarge(e);
    if (problem == null && e instanceof MaxUploadSizeExceededException tooLarge) {
      return ResponseEntity.status(tooLarge.getStatusCode())
          .body(Problems.typed(tooLarge.getBody()));
    }
    if (problem == null) {
      problem = problem(e, request.getContentType());
    }
    log.debug("Unreadable multipart body: {}", problem, e);
    List<FieldProblem> errors = List.of(problem);
    return ResponseEntity.badRequest()
        .body(Problems.of(HttpStatus.BAD_REQUEST, ApiException.describe(errors), errors));
  }

  private static FieldProblem problem(MultipartException e, @Nullable String contentType) {
    if (!hasBoundary(contentType)) {
      return new FieldProblem(
          "Content-Type",
          "must name the boundary that separates the parts, e.g. multipart/form-data;"
              + " boundary=----form-boundary");
    }
    if (messageOf(e, "Stream ended unexpectedly")) {
      return new FieldProblem(
          "body",
          "ends before the closing boundary line (--boundary--): the body is cut off, or a part's"
              + " headers are not followed by an empty line");
    }
    return new FieldProblem("body", "is not a valid multipart/form-data body (RFC 7578)");
  }

  /** Tomcat caps a part's header section (10 KB); Spring takes that for the upload limit. */
  private static @Nullable FieldProblem headerSectionTooLarge(MultipartException e) {
    return messageOf(e, "Header section has more than")
        ? new FieldProblem(
            "body", "has a part whose header section is over 10 KB or not ended by an empty line")
        : null;
  }

  private static boolean hasBoundary(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    try {
      return StringUtils.hasText(MediaType.parseMediaType(contentType).getParameter("boundary"));
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }

  private static boolean messageOf(Throwable e, String start) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith(start)) {
        return true;
      }
    }
    return false;
  }
}
