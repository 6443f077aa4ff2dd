package dev.conveyor.contract;

import java.util.Objects;

/**
 * A secret configuration value (an HMAC key, an API key). Its {@link #toString()} is redacted, so a
 * properties record that holds one can be logged or printed by Actuator without leaking it; call
 * {@link #reveal()} where the value is really needed.
 *
 * <p>Spring binds it from a plain string property through the canonical constructor.
 */
public record Secret(String value) {

  public Secret {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("a secret must not be blank");
    }
  }

  /** The secret itself. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "Secret[******]";
  }
}
