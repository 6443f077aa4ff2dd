package dev.conveyor.api.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds problem details the same way everywhere, each with the {@code type} and {@code title} of
 * its {@link ProblemType}, and writes them from places outside Spring MVC's exception handling
 * (servlet filters).
 */
public final class Problems {

  private static final URI ABOUT_BLANK = URI.create("about:blank");

  private Problems() {}

  /**
   * A problem of the general kind of its status ({@link ProblemType#forStatus}), with {@code
   * errors} when given.
   */
  public static ProblemDetail of(HttpStatusCode status, String detail, List<FieldProblem> errors) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    if (!errors.isEmpty()) {
      problem.setProperty("errors", errors);
    }
    return typed(problem);
  }

  /** A problem of this kind, with {@code errors} when given. */
  public static ProblemDetail of(ProblemType type, String detail, List<FieldProblem> errors) {
    ProblemDetail problem = of(HttpStatusCode.valueOf(type.status()), detail, errors);
    problem.setType(type.uri());
    problem.setTitle(type.title());
    return problem;
  }

  /**
   * Gives a problem built without a type (none set, or {@code about:blank}) the type and title of
   * its status's kind; one with a type already is left as it is.
   */
  static ProblemDetail typed(ProblemDetail problem) {
    ProblemType type = ProblemType.forStatus(HttpStatusCode.valueOf(problem.getStatus()));
    if (type != null && (problem.getType() == null || ABOUT_BLANK.equals(problem.getType()))) {
      problem.setType(type.uri());
      problem.setTitle(type.title());
    }
    return problem;
  }

  /** Writes a problem as the whole response (for filters, before any controller runs). */
  public static void write(
      HttpServletResponse response,
      JsonMapper json,
      HttpStatus status,
      String detail,
      @Nullable String instance)
      throws IOException {
    ProblemDetail problem = of(status, detail, List.of());
    if (instance != null) {
      problem.setInstance(URI.create(instance));
    }
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), asMap(problem));
  }

  /** The RFC 9457 members, flat, as MVC's message converter renders them. */
  static Map<String, Object> asMap(ProblemDetail problem) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", problem.getType() == null ? "about:blank" : problem.getType().toString());
    body.put("title", problem.getTitle());
    body.put("status", problem.getStatus());
    if (problem.getDetail() != null) {
      body.put("detail", problem.getDetail());
    }
    if (problem.getInstance() != null) {
      body.put("instance", problem.getInstance().toString());
    }
    if (problem.getProperties() != null) {
      body.putAll(problem.getProperties());
    }
    return body;
  }
}
