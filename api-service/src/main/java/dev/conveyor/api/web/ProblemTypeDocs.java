package dev.conveyor.api.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.util.Arrays;
import java.util.Objects;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Documents every {@link ProblemType} in the OpenAPI description ({@code /v3/api-docs}): a table in
 * the API's description, and a {@code Problem} schema whose {@code type} lists the URIs, so that a
 * client generated from the description can branch on them.
 */
@Component
class ProblemTypeDocs implements OpenApiCustomizer {

  @Override
  public void customise(OpenAPI openApi) {
    Info info = Objects.requireNonNullElseGet(openApi.getInfo(), Info::new);
    String table = table();
    String before = info.getDescription() == null ? "" : info.getDescription();
    // Once, even if springdoc hands the same Info to the customizer again (another locale).
    if (!before.contains(table)) {
      openApi.info(info.description(before.isEmpty() ? table : before + "\n\n" + table));
    }
    Components components = Objects.requireNonNullElseGet(openApi.getComponents(), Components::new);
    openApi.components(components.addSchemas("Problem", schema()));
  }

  /** The problem types as a Markdown table (the OpenAPI description is CommonMark). */
  static String table() {
    StringBuilder table =
        new StringBuilder(
            "Errors are RFC 9457 `application/problem+json`. Branch on `type`, a stable URI per"
                + " kind of problem (the `title` is the same for every problem of a type; `detail`"
                + " is for people):\n\n| type | status | meaning |\n|---|---|---|\n");
    for (ProblemType type : ProblemType.values()) {
      table
          .append("| `")
          .append(type.uri())
          .append("` | ")
          .append(type.status())
          .append(" | ")
          .append(type.description())
          .append(" |\n");
    }
    return table.toString();
  }

  private static Schema<?> schema() {
    StringSchema type = new StringSchema();
    type.description("The kind of problem; see the table in the API description.");
    type.setEnum(Arrays.stream(ProblemType.values()).map(t -> t.uri().toString()).toList());
    ObjectSchema field = new ObjectSchema();
    field.addProperty("field", new StringSchema().description("a JSON path or parameter name"));
    field.addProperty("message", new StringSchema());
    ObjectSchema problem = new ObjectSchema();
    problem.description("An RFC 9457 problem detail");
    problem.addProperty("type", type);
    problem.addProperty("title", new StringSchema());
    problem.addProperty("status", new IntegerSchema());
    problem.addProperty("detail", new StringSchema());
    problem.addProperty("instance", new StringSchema());
    problem.addProperty(
        "errors",
        new ArraySchema()
            .items(field)
            .description("each offending field (400 bad-request, 422 validation)"));
    return problem;
  }
}
