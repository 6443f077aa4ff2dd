package dev.conveyor.api.auth;

import java.util.Locale;

/** What a caller may do. Stored lower-case in {@code api_clients.role}. */
public enum Role {
  /** Submits and reads its own reports. */
  CLIENT,
  /** A client that may also use the admin endpoints (queue counts, dead jobs, retry, cancel). */
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
      throw new IllegalArgumentException("role must be client or admin, not '" + value + "'");
    }
  }
}
