package dev.conveyor.api.auth;

import java.util.Locale;

/** What a caller may do. Stored lower-case in {@code api_clients.role}. */
public enum Role {
  /** Submits and reads its own reports. */
  CLIENT,
  /**
   * A client that may also write the shared voter registry ({@code voterImport}), for every county
   * or only for the counties of its scope.
   */
  REGISTRAR,
  /**
   * A client that may also use the admin endpoints (queue counts, dead jobs, retry, cancel, keys,
   * the registry import audit) and write the registry for every county: an operator's key, and the
   * local bootstrap key, which already can run and retry any job.
   */
  ADMIN;

  String dbValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Role fromDb(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** Parses a command-line or configuration value such as {@code client}. */
  public static Role parse(String value) {
    try {
      return fromDb(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "role must be client, registrar or admin, not '" + value + "'");
    }
  }
}
