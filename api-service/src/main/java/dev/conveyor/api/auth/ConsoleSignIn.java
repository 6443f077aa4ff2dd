package dev.conveyor.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Serial;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;

/**
 * The console's sign-in form ({@code POST /console/sign-in}, field {@value #FIELD}): Spring
 * Security's form login with an API key instead of a user name and password. Only an admin key
 * signs in; a client or registrar key is refused like an unknown key, with its own message, and
 * gets no session of the console. Every sign-in and refusal is logged with the key's prefix (the
 * first characters, as {@code api_clients.key_prefix} stores them), never the key.
 */
final class ConsoleSignIn {

  static final String PAGE = "/console/sign-in";
  static final String FIELD = "apiKey";

  /** {@code ?error=} values of the sign-in page after a refusal. */
  static final String INVALID = "invalid";

  static final String NOT_ADMIN = "not-admin";

  private static final Logger log = LoggerFactory.getLogger(ConsoleSignIn.class);

  private ConsoleSignIn() {}

  /** A valid key that is not an admin's: it opens no part of the console. */
  static final class NotAnAdminKey extends AuthenticationException {

    @Serial private static final long serialVersionUID = 1L;

    NotAnAdminKey() {
      super("Only an admin key signs in to the console");
    }
  }

  /**
   * Checks the form's key (the "password" of Spring's form login; the user name is unused) with the
   * API's provider, and refuses keys that are not an admin's.
   */
  static AuthenticationManager manager(ApiKeyAuthenticationProvider provider) {
    return form -> {
      String key = form.getCredentials() instanceof String s ? s.strip() : "";
      Authentication checked = provider.authenticate(ApiKeyAuthentication.unchecked(key));
      if (!(checked.getPrincipal() instanceof Caller caller) || !caller.isAdmin()) {
        throw new NotAnAdminKey();
      }
      return checked;
    };
  }

  /** Logs the sign-in, then goes where the admin wanted to go (the console's start by default). */
  static AuthenticationSuccessHandler success() {
    SavedRequestAwareAuthenticationSuccessHandler next =
        new SavedRequestAwareAuthenticationSuccessHandler();
    next.setDefaultTargetUrl("/console");
    return (request, response, authentication) -> {
      log.info("Console sign-in: {} (key {}…)", authentication.getName(), keyPrefix(request));
      next.onAuthenticationSuccess(request, response, authentication);
    };
  }

  /**
   * Logs the refusal and shows the sign-in page again with the reason (a fixed word in the URL,
   * nothing of the key; no session is needed for it).
   */
  static AuthenticationFailureHandler failure() {
    return (HttpServletRequest request,
        HttpServletResponse response,
        AuthenticationException e) -> {
      String reason = e instanceof NotAnAdminKey ? NOT_ADMIN : INVALID;
      log.warn("Console sign-in refused ({}): key {}", reason, keyPrefix(request));
      redirect(request, response, PAGE + "?error=" + reason);
    };
  }

  private static void redirect(HttpServletRequest request, HttpServletResponse response, String to)
      throws IOException {
    response.sendRedirect(request.getContextPath() + to);
  }

  /** What may be logged of the key in the form: its prefix if it looks like one of ours. */
  static String keyPrefix(HttpServletRequest request) {
    @Nullable String key = request.getParameter(FIELD);
    if (key == null || key.isBlank()) {
      return "(none)";
    }
    key = key.strip();
    // Anything else may be a password typed into the wrong field: not even part of it is logged.
    return key.startsWith(ApiKeys.PREFIX) ? ApiKeys.prefix(key) : "(not an API key)";
  }
}
