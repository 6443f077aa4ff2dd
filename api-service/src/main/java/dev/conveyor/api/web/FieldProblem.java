package dev.conveyor.api.web;

/**
 * One invalid input: which field (a JSON path such as {@code parameters.county}, a query parameter
 * or a header name) and what is wrong with it.
 */
public record FieldProblem(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
