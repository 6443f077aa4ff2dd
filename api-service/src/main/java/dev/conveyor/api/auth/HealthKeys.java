package dev.conveyor.api.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who asks for {@code /actuator/health*}: a request with a valid bearer key is that client (its
 * role is the request's role, {@code request.isUserInRole("ADMIN")} through Spring Security's
 * servlet integration), so that {@code management.endpoint.health.show-details: when-authorized}
 * with {@code roles: ADMIN} shows the components and their details to admin keys only. Health stays
 * public: no key, an unknown key, or a key that cannot be checked (the database is down) is simply
 * anonymous, which gets the status and nothing else. Not Spring's {@code AuthenticationFilter}:
 * that one answers a bad key itself, where health must go on. With a management port of its own,
 * details are shown there ({@link ManagementPortHealthAccess}).
 *
 * <p>Not a bean: it runs only inside the security filter chain that adds it.
 */
final class HealthKeys extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(HealthKeys.class);

  private final ApiKeyAuthenticationProvider keys;
  private final SecurityContextHolderStrategy contexts =
      SecurityContextHolder.getContextHolderStrategy();

  HealthKeys(ApiKeyAuthenticationProvider keys) {
    this.keys = keys;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !SecurityConfiguration.HEALTH.matches(request);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    ApiKeyAuthentication presented = BearerKeys.convert(request);
    if (presented != null) {
      try {
        Authentication caller = keys.authenticate(presented);
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(caller);
        contexts.setContext(context);
      } catch (RuntimeException e) {
        // An unknown key, or the database is down: the health answer (DOWN) matters more than
        // its details.
        log.debug("Health request without a usable key: {}", e.toString());
      }
    }
    chain.doFilter(request, response);
  }
}
