package dev.conveyor.api.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's {@code /error} page, reached for errors raised outside Spring MVC (the
 * servlet container, a filter that sends an error), so that those are problem details too. It
 * exposes the status only: no exception, message or trace (an unreachable database is the one
 * exception it looks at: a 503 with {@code Retry-After}).
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping(path = "${server.error.path:/error}")
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    if (request.getDispatcherType() == DispatcherType.ERROR
        && DatabaseUnavailable.causes(
            (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION))) {
      // Past DatabaseUnavailableFilter (a container-level failure): still a 503, not a 500.
      return DatabaseUnavailable.answer();
    }
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status =
        request.getDispatcherType() == DispatcherType.REQUEST
            ? HttpStatus.NOT_FOUND // asked for by name: not a resource, and nothing failed
            : code instanceof Integer value
                ? HttpStatus.resolve(value) == null
                    ? HttpStatus.INTERNAL_SERVER_ERROR
                    : HttpStatus.valueOf(value)
                : HttpStatus.INTERNAL_SERVER_ERROR;
    String detail =
        status.is5xxServerError() ? "An unexpected error occurred" : status.getReasonPhrase();
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(Problems.of(status, detail, List.of()));
  }
}
