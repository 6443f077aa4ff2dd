package dev.conveyor.api.auth;

import dev.conveyor.api.web.Problems;
import dev.conveyor.api.web.RequestPaths;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's bearer keys in Spring Security's terms, with the answers the API has always given:
 *
 * <ul>
 *   <li>{@link #filter}: Spring Security's {@link AuthenticationFilter}, converting {@code
 *       Authorization: Bearer <key>} into an {@link ApiKeyAuthentication} for the {@link
 *       ApiKeyAuthenticationProvider}. A request without the header passes on unauthenticated (the
 *       authorization rules then refuse it through the {@link #entryPoint}); a header that is not a
 *       valid bearer key is refused at once: 401 problem, {@code WWW-Authenticate: Bearer}, "The
 *       API key is not valid". Stateless: the caller lives in the request only, never in a session.
 *   <li>{@link #entryPoint}: no key (or any other authentication missing): 401 problem with {@code
 *       WWW-Authenticate: Bearer}, "An API key is required: Authorization: Bearer &lt;key&gt;".
 *   <li>{@link #accessDenied}: a valid key whose role does not allow the path (a client or
 *       registrar key on {@code /api/admin/**}): 403 problem.
 * </ul>
 */
final class BearerKeys {

  private static final String BEARER = "Bearer ";

  private BearerKeys() {}

  /**
   * The key of a request's {@code Authorization} header: {@code null} without the header, an empty
   * key (never valid) for another scheme.
   */
  static @Nullable ApiKeyAuthentication convert(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null) {
      return null;
    }
    return ApiKeyAuthentication.unchecked(
        header.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? header.substring(BEARER.length()).trim()
            : "");
  }

  /** Authenticates {@code /api/**} requests by their bearer key; see the class comment. */
  static AuthenticationFilter filter(AuthenticationManager manager, JsonMapper json) {
    AuthenticationFilter filter = new AuthenticationFilter(manager, BearerKeys::convert);
    // Continue with the request (the default would redirect, as after a form sign-in).
    filter.setSuccessHandler((request, response, authentication) -> {});
    filter.setFailureHandler(
        (request, response, e) ->
            unauthorized(request, response, json, "The API key is not valid"));
    filter.setSecurityContextRepository(new RequestAttributeSecurityContextRepository());
    return filter;
  }

  static AuthenticationEntryPoint entryPoint(JsonMapper json) {
    return (request, response, e) ->
        unauthorized(
            request,
            response,
            json,
            request.getHeader(HttpHeaders.AUTHORIZATION) == null
                ? "An API key is required: Authorization: Bearer <key>"
                : "The API key is not valid");
  }

  static AccessDeniedHandler accessDenied(JsonMapper json) {
    return (HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) ->
        Problems.write(
            response,
            json,
            HttpStatus.FORBIDDEN,
            RequestPaths.of(request).startsWith("/api/admin/")
                ? "The admin endpoints need an admin key"
                : "This API key may not do this",
            request.getRequestURI());
  }

  private static void unauthorized(
      HttpServletRequest request, HttpServletResponse response, JsonMapper json, String detail)
      throws IOException {
    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    Problems.write(response, json, HttpStatus.UNAUTHORIZED, detail, request.getRequestURI());
  }
}
