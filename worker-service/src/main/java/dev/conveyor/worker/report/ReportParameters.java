package dev.conveyor.worker.report;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A report's parameters as a generator reads them. The API validated them, but a row written by
 * another producer (or before a rule changed) may not fit: every read throws {@link
 * InvalidReportException} ({@code INVALID_PARAMETERS}, naming the parameter) for a value the
 * generator cannot use, rather than running a wrong query (a district beyond smallint would wrap).
 * Blank text counts as absent.
 */
final class ReportParameters {

  static final String INVALID = "INVALID_PARAMETERS";

  private final String type;
  private final JsonNode values;

  private ReportParameters(String type, JsonNode values) {
    this.type = type;
    this.values = values;
  }

  /** The parameters of a report of {@code type}, {@code parameters} being a JSON object. */
  static ReportParameters parse(String type, String parameters, JsonMapper json) {
    return new ReportParameters(type, json.readTree(parameters));
  }

  @Nullable String text(String name) {
    JsonNode n = values.get(name);
    return n == null || n.isNull() ? null : Report.nullIfBlank(n.asString());
  }

  String requiredText(String name) {
    return required(name, text(name));
  }

  /** Text of at most {@code maxLength} characters, required. */
  String requiredText(String name, int maxLength) {
    String value = requiredText(name);
    if (value.length() > maxLength) {
      throw invalid(name + " must be at most " + maxLength + " characters");
    }
    return value;
  }

  /** One of {@code allowed}, or null when absent. */
  @Nullable String choice(String name, List<String> allowed) {
    String value = text(name);
    if (value != null && !allowed.contains(value)) {
      throw invalid(name + " must be one of " + String.join(", ", allowed));
    }
    return value;
  }

  String requiredChoice(String name, List<String> allowed) {
    return required(name, choice(name, allowed));
  }

  /** A whole number from 1 to {@code max} (a JSON number or a numeric string), or null. */
  @Nullable Integer integer(String name, int max) {
    JsonNode n = values.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    long value;
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      value = n.asLong();
    } else {
      try {
        value = Long.parseLong(n.asString().strip());
      } catch (NumberFormatException e) {
        value = -1;
      }
    }
    if (value < 1 || value > max) {
      throw invalid(name + " must be a whole number from 1 to " + max);
    }
    return (int) value;
  }

  int requiredInteger(String name, int max) {
    return required(name, integer(name, max));
  }

  /** An ISO date ({@code 2026-06-23}), required. */
  LocalDate requiredDate(String name) {
    String value = required(name, text(name));
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw invalid(name + " must be an ISO date (yyyy-mm-dd)");
    }
  }

  private <T> T required(String name, @Nullable T value) {
    if (value == null) {
      throw invalid(type + " needs " + name);
    }
    return value;
  }

  InvalidReportException invalid(String message) {
    return new InvalidReportException(INVALID, message);
  }
}
