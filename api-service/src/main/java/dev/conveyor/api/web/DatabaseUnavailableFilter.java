package dev.conveyor.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers 503 (problem, {@code Retry-After}) for a database outage that escapes a filter, such as
 * the API-key lookup, which runs before Spring MVC and its {@link ProblemHandler}: without this the
 * container would log the exception and answer 500. Outermost of our filters, so every filter after
 * it is covered. Any other error passes on unchanged.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class DatabaseUnavailableFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableFilter.class);

  private final JsonMapper json;

  DatabaseUnavailableFilter(JsonMapper json) {
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } catch (RuntimeException | ServletException e) {
      if (!DatabaseUnavailable.causes(e) || response.isCommitted()) {
        throw e;
      }
      log.warn("Database unavailable, answered 503: {}", DatabaseUnavailable.describe(e));
      response.resetBuffer();
      response.setHeader(HttpHeaders.RETRY_AFTER, DatabaseUnavailable.RETRY_AFTER_SECONDS);
      Problems.write(
          response,
          json,
          HttpStatus.SERVICE_UNAVAILABLE,
          DatabaseUnavailable.DETAIL,
          request.getRequestURI());
    }
  }
}
