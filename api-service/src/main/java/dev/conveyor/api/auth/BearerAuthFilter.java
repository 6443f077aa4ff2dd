package dev.conveyor.api.auth;

import dev.conveyor.api.web.Problems;
import dev.conveyor.api.web.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates every {@code /api/**} request with {@code Authorization: Bearer <api key>}: no key
 * or an unknown one is a 401 problem; a client or registrar key on {@code /api/admin/**} is a 403
 * problem. Everything else (actuator, OpenAPI, the signed {@code /internal/**} callbacks) is left
 * to its own checks. Both decisions test the decoded, normalized path ({@link RequestPaths}), never
 * the raw URI, which a client can spell differently from the route it reaches.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class BearerAuthFilter extends OncePerRequestFilter {

  private static final String BEARER = "Bearer ";

  private final ApiKeys keys;
  private final JsonMapper json;

  BearerAuthFilter(ApiKeys keys, JsonMapper json) {
    this.keys = keys;
    this.json = json;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !RequestPaths.of(request).startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    Optional<Caller> caller =
        header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? keys.authenticate(header.substring(BEARER.length()).trim())
            : Optional.empty();
    if (caller.isEmpty()) {
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
      Problems.write(
          response,
          json,
          HttpStatus.UNAUTHORIZED,
          header == null
              ? "An API key is required: Authorization: Bearer <key>"
              : "The API key is not valid",
          request.getRequestURI());
      return;
    }
    if (RequestPaths.of(request).startsWith("/api/admin/") && !caller.get().isAdmin()) {
      Problems.write(
          response,
          json,
          HttpStatus.FORBIDDEN,
          "The admin endpoints need an admin key",
          request.getRequestURI());
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, caller.get());
    chain.doFilter(request, response);
  }
}
