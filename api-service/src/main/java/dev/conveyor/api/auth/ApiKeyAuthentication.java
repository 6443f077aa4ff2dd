package dev.conveyor.api.auth;

import java.io.Serial;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An API key on its way through Spring Security: before it is checked, the key as presented (the
 * credentials); after, the {@link Caller} holding it (the principal) with its role as the one
 * authority {@code ROLE_<ROLE>} ({@code hasRole("ADMIN")}, {@code request.isUserInRole("ADMIN")}).
 * The key is not kept once checked. Serializable, because a console sign-in keeps it in the HTTP
 * session.
 */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

  @Serial private static final long serialVersionUID = 1L;

  private final @Nullable Caller caller;
  private @Nullable String key;

  private ApiKeyAuthentication(@Nullable Caller caller, @Nullable String key) {
    super(
        caller == null
            ? List.of()
            : List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name())));
    this.caller = caller;
    this.key = key;
    setAuthenticated(caller != null);
  }

  /** A key as presented, not yet checked. */
  static ApiKeyAuthentication unchecked(String key) {
    return new ApiKeyAuthentication(null, key);
  }

  /** The caller a checked key belongs to. */
  static ApiKeyAuthentication of(Caller caller) {
    return new ApiKeyAuthentication(caller, null);
  }

  /** The key as presented; {@code null} once checked. */
  @Override
  public @Nullable String getCredentials() {
    return key;
  }

  /** The caller once the key is checked; {@code null} before. */
  @Override
  public @Nullable Caller getPrincipal() {
    return caller;
  }

  @Override
  public String getName() {
    return caller == null ? "" : caller.name();
  }

  @Override
  public void eraseCredentials() {
    super.eraseCredentials();
    key = null;
  }
}
