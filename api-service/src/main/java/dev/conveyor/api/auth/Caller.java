package dev.conveyor.api.auth;

/**
 * The authenticated API client of the current request. Controllers take it as a method parameter;
 * {@link BearerAuthFilter} has already refused requests without a valid key.
 *
 * @param clientId the client's id (owner of its reports)
 * @param name the client's name
 * @param role what it may do
 */
public record Caller(long clientId, String name, Role role) {

  /** The request attribute under which the filter leaves the caller. */
  static final String ATTRIBUTE = Caller.class.getName();

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }
}
