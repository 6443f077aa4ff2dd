package dev.conveyor.api.report;

import dev.conveyor.api.web.FieldProblem;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One report parameter: its name, whether it is required, and how a value is checked and
 * normalized. Problems are reported under {@code parameters.<name>}.
 */
abstract sealed class Param {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  final String name;
  final boolean required;
  final String description;

  private Param(String name, boolean required, String description) {
    this.name = name;
    this.required = required;
    this.description = description;
  }

  String field() {
    return "parameters." + name;
  }

  /** The normalized value, or null after adding a problem to {@code errors}. */
  abstract @Nullable JsonNode check(JsonNode value, List<FieldProblem> errors);

  static Param text(String name, boolean required, int maxLength, Pattern pattern, String what) {
    return new Text(name, required, maxLength, pattern, what);
  }

  static Param integer(String name, boolean required, int min, int max, String description) {
    return new Int(name, required, min, max, description);
  }

  static Param date(String name, boolean required, String description) {
    return new Date(name, required, description);
  }

  static Param choice(String name, boolean required, List<String> values, String description) {
    return new Choice(name, required, values, description);
  }

  static Param uuid(String name, boolean required, String description) {
    return new Uuid(name, required, description);
  }

  static final class Text extends Param {
    private final int maxLength;
    private final Pattern pattern;

    Text(String name, boolean required, int maxLength, Pattern pattern, String description) {
      super(name, required, description);
      this.maxLength = maxLength;
      this.pattern = pattern;
    }

    @Override
    @Nullable JsonNode check(JsonNode value, List<FieldProblem> errors) {
      if (!value.isString()) {
        errors.add(new FieldProblem(field(), "must be a string"));
        return null;
      }
      String text = value.asString().strip();
      if (text.isEmpty() || text.length() > maxLength) {
        errors.add(new FieldProblem(field(), "must be 1 to " + maxLength + " characters"));
        return null;
      }
      if (!pattern.matcher(text).matches()) {
        errors.add(new FieldProblem(field(), "must be " + description));
        return null;
      }
      return NODES.stringNode(text);
    }
  }

  static final class Int extends Param {
    private final int min;
    private final int max;

    Int(String name, boolean required, int min, int max, String description) {
      super(name, required, description);
      this.min = min;
      this.max = max;
    }

    @Override
    @Nullable JsonNode check(JsonNode value, List<FieldProblem> errors) {
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        errors.add(new FieldProblem(field(), "must be an integer"));
        return null;
      }
      int n = value.intValue();
      if (n < min || n > max) {
        errors.add(new FieldProblem(field(), "must be between " + min + " and " + max));
        return null;
      }
      return NODES.numberNode(n);
    }
  }

  static final class Date extends Param {
    Date(String name, boolean required, String description) {
      super(name, required, description);
    }

    @Override
    @Nullable JsonNode check(JsonNode value, List<FieldProblem> errors) {
      try {
        if (value.isString()) {
          return NODES.stringNode(LocalDate.parse(value.asString()).toString());
        }
      } catch (DateTimeParseException e) {
        // reported below
      }
      errors.add(new FieldProblem(field(), "must be an ISO-8601 date, e.g. 2026-11-03"));
      return null;
    }
  }

  static final class Choice extends Param {
    private final List<String> values;

    Choice(String name, boolean required, List<String> values, String description) {
      super(name, required, description);
      this.values = List.copyOf(values);
    }

    List<String> values() {
      return values;
    }

    @Override
    @Nullable JsonNode check(JsonNode value, List<FieldProblem> errors) {
      if (value.isString() && values.contains(value.asString())) {
        return value;
      }
      errors.add(new FieldProblem(field(), "must be one of " + String.join(", ", values)));
      return null;
    }
  }

  static final class Uuid extends Param {
    Uuid(String name, boolean required, String description) {
      super(name, required, description);
    }

    @Override
    @Nullable JsonNode check(JsonNode value, List<FieldProblem> errors) {
      try {
        if (value.isString()) {
          return NODES.stringNode(UUID.fromString(value.asString()).toString());
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      errors.add(new FieldProblem(field(), "must be a UUID"));
      return null;
    }
  }
}
