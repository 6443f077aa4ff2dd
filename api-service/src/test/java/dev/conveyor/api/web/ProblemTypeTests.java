package dev.conveyor.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.ApiTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Problem {@code type} URIs: stable, set in one place ({@link ProblemType}), and each documented in
 * the OpenAPI description and README. Each kind's answer is asserted where the tests of that
 * behaviour check its status ({@code ApiTestBase.assertProblem}).
 */
class ProblemTypeTests extends ApiTestBase {

  @Test
  void theTypeUrisAreTheDocumentedStableNames() {
    // Clients branch on these: renaming one is a breaking change, so it must show up here.
    assertThat(Arrays.stream(ProblemType.values()).map(t -> t.uri().toString()))
        .containsExactly(
            Stream.of(
                    "bad-request",
                    "unauthorized",
                    "invalid-signature",
                    "forbidden",
                    "not-found",
                    "method-not-allowed",
                    "not-acceptable",
                    "conflict",
                    "report-not-ready",
                    "gone",
                    "payload-too-large",
                    "quota-exceeded",
                    "unsupported-media-type",
                    "validation",
                    "rate-limited",
                    "internal-error",
                    "service-unavailable")
                .map(name -> "https://conveyor.dev/problems/" + name)
                .toArray(String[]::new));
  }

  @Test
  void everyTypeIsDocumentedInTheOpenApiDescription() {
    JsonNode docs = anonymous.get("/v3/api-docs").json();
    String description = docs.get("info").get("description").asString();
    List<String> listed =
        docs.at("/components/schemas/Problem/properties/type/enum")
            .valueStream()
            .map(JsonNode::asString)
            .toList();

    for (ProblemType type : ProblemType.values()) {
      assertThat(description)
          .contains("| `" + type.uri() + "` | " + type.status() + " | " + type.description());
    }
    assertThat(listed)
        .containsExactlyElementsOf(
            Arrays.stream(ProblemType.values()).map(t -> t.uri().toString()).toList());
  }

  @Test
  void everyTypeIsInTheReadmeTable() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);

    for (ProblemType type : ProblemType.values()) {
      assertThat(readme).contains("| `" + type.uri() + "` | " + type.status() + " |");
    }
  }

  /** Any type a problem can carry comes from {@link ProblemType}: no URI is written elsewhere. */
  @Test
  void noTypeUriIsWrittenOutsideProblemType() throws IOException {
    Path main = Path.of("src", "main", "java");
    try (Stream<Path> files = Files.walk(main)) {
      List<Path> writers =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> !f.getFileName().toString().equals("ProblemType.java"))
              .filter(f -> read(f).contains("conveyor.dev/problems"))
              .toList();
      assertThat(writers).isEmpty();
    }
  }

  @Test
  void springMvcsOwnProblemsGetTheirKindsType() {
    assertProblem(newClient().get("/api/reports?limit=x"), ProblemType.BAD_REQUEST);
    assertProblem(newClient().method("PUT", "/api/reports", "{}"), ProblemType.METHOD_NOT_ALLOWED);
    assertProblem(newClient().get("/api/nothing-here"), ProblemType.NOT_FOUND);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
