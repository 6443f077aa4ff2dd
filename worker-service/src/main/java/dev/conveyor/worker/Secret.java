package dev.conveyor.worker;

import java.util.Objects;

/**
 * A secret configuration value (the callback signing secret). Its {@link #toString()} is redacted,
 * so a properties record holding one can be logged or shown by Actuator without leaking it; call
 * {@link #reveal()} where the value is really needed. Spring binds it from a plain string.
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
