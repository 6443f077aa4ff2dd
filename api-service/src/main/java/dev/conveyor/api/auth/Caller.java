package dev.conveyor.api.auth;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The authenticated API client of the current request. Controllers take it as a method parameter
 * ({@link CallerArgumentResolver}); Spring Security ({@link SecurityConfiguration}) has already
 * refused requests without a valid key on {@code /api/**}, and without an admin's signed-in session
 * on {@code /console/**}. Serializable: a console session holds it.
 *
 * @param clientId the client's id (owner of its reports)
 * @param name the client's name
 * @param role what it may do
 * @param registryCounties a registrar's county scope; {@code null}: every county (or no registry
 *     right at all, see {@link #mayWriteRegistry()})
 */
public record Caller(long clientId, String name, Role role, @Nullable List<String> registryCounties)
    implements Serializable {

  public Caller {
    registryCounties = registryCounties == null ? null : List.copyOf(registryCounties);
  }

  /** A caller without a county scope. */
  public Caller(long clientId, String name, Role role) {
    this(clientId, name, role, null);
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  /** Whether the key may write the shared voter registry at all: registrars and admins. */
  public boolean mayWriteRegistry() {
    return role == Role.REGISTRAR || role == Role.ADMIN;
  }

  /** Whether the key may write the registry's voters of {@code county} (compared ignoring case). */
  public boolean mayWriteCounty(String county) {
    if (!mayWriteRegistry()) {
      return false;
    }
    if (registryCounties == null) {
      return true;
    }
    String wanted = county.strip().toLowerCase(Locale.ROOT);
    return registryCounties.stream().anyMatch(c -> c.toLowerCase(Locale.ROOT).equals(wanted));
  }
}
