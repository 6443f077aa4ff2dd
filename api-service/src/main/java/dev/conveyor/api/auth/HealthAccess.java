package dev.conveyor.api.auth;

import dev.conveyor.api.web.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who asks for {@code /actuator/health}: a request with a valid API key is that client (its role is
 * the servlet role), so that {@code management.endpoint.health.show-details: when-authorized} with
 * {@code roles: ADMIN} shows the components and their details to admin keys only. Health stays
 * public: no key, an unknown key, or a key that cannot be checked (the database is down) is simply
 * anonymous, which gets the status and nothing else. With a management port of its own, details are
 * shown there ({@link ManagementPortHealthAccess}), and the API port serves no actuator.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class HealthAccess extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(HealthAccess.class);
  private static final String BEARER = "Bearer ";

  private final ApiKeys keys;

  HealthAccess(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !RequestPaths.of(request).startsWith("/actuator/health");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<Caller> caller = caller(request.getHeader(HttpHeaders.AUTHORIZATION));
    chain.doFilter(caller.isPresent() ? new Authorized(request, caller.get()) : request, response);
  }

  private Optional<Caller> caller(@Nullable String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    try {
      return keys.authenticate(header.substring(BEARER.length()).trim());
    } catch (RuntimeException e) {
      // The database is down: the health answer (DOWN) matters more than its details.
      log.debug("Could not check the key of a health request: {}", e.toString());
      return Optional.empty();
    }
  }

  /** The request as the caller's: its principal and its one role. */
  private static final class Authorized extends HttpServletRequestWrapper {

    private final Caller caller;

    Authorized(HttpServletRequest request, Caller caller) {
      super(request);
      this.caller = caller;
    }

    @Override
    public Principal getUserPrincipal() {
      return caller::name;
    }

    @Override
    public boolean isUserInRole(String role) {
      return caller.role().name().equals(role);
    }
  }
}
