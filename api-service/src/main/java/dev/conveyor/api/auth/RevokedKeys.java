package dev.conveyor.api.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a console session whose key has been revoked since its sign-in: the session keeps the {@link
 * Caller}, not the key, and every request would otherwise renew its idle timeout, so a revoked
 * admin could go on for as long as they kept clicking. Checked on every console request through
 * {@link ApiKeys#isActive} (cached for {@code conveyor.api.auth.cache-ttl}, as a bearer key is), so
 * revocation takes effect in the console as soon as on the API. The request then goes on
 * unauthenticated, and the authorization rules send it to the sign-in page.
 *
 * <p>Not a bean: it runs only inside the console's security filter chain.
 */
final class RevokedKeys extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(RevokedKeys.class);

  private final ApiKeys keys;
  private final SecurityContextHolderStrategy contexts =
      SecurityContextHolder.getContextHolderStrategy();

  RevokedKeys(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Authentication authentication = contexts.getContext().getAuthentication();
    if (authentication != null
        && authentication.getPrincipal() instanceof Caller caller
        && !keys.isActive(caller)) {
      log.warn("Console session of {} ended: its key was revoked", caller.name());
      contexts.clearContext();
      HttpSession session = request.getSession(false);
      if (session != null) {
        session.invalidate();
      }
    }
    chain.doFilter(request, response);
  }
}
