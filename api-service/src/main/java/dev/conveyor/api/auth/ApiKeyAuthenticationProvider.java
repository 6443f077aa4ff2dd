package dev.conveyor.api.auth;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Checks an {@link ApiKeyAuthentication} against {@link ApiKeys} (its cache, then the database): a
 * valid, unrevoked key becomes its {@link Caller}; anything else is a {@link
 * BadCredentialsException}. A database that cannot be reached is not a bad key: its exception
 * (Spring's {@code DataAccessException} family) passes through unchanged, so that the API answers
 * 503 with {@code Retry-After} ({@code web.DatabaseUnavailableFilter}) instead of 401, and health
 * treats the request as anonymous.
 *
 * <p>Being a bean, it also keeps Spring Boot from creating its default in-memory user (with a
 * generated password in the log).
 */
@Component
class ApiKeyAuthenticationProvider implements AuthenticationProvider {

  private final ApiKeys keys;

  ApiKeyAuthenticationProvider(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String key = ((ApiKeyAuthentication) authentication).getCredentials();
    if (key == null || key.isBlank()) {
      throw new BadCredentialsException("The API key is not valid");
    }
    return keys.authenticate(key)
        .map(ApiKeyAuthentication::of)
        .orElseThrow(() -> new BadCredentialsException("The API key is not valid"));
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return ApiKeyAuthentication.class.isAssignableFrom(authentication);
  }
}
