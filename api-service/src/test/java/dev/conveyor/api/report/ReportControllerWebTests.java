package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.artifact.ArtifactFiles;
import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ApiException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The web layer of {@link ReportController} alone: mapping, binding, the bearer keys, the request
 * size filter and the problem+json mapping, with the services behind the controller mocked. No
 * database: the slice loads no repository, DataSource or JdbcClient. What the services do is tested
 * end to end in {@link SubmitReportTests} and {@link ReadReportTests}.
 */
@WebMvcTest(
    controllers = ReportController.class,
    // The API's Spring Security chains and their key provider (over the mocked ApiKeys): the
    // slice would otherwise apply Spring Boot's default security instead of the bearer keys.
    includeFilters =
        @ComponentScan.Filter(
            type = FilterType.REGEX,
            pattern =
                "dev\\.conveyor\\.api\\.auth\\.(SecurityConfiguration|ApiKeyAuthenticationProvider)"))
// The application registers ApiProperties through @ConfigurationPropertiesScan, which the slice's
// type filter skips; RequestSizeLimitFilter (a Filter, so part of the slice) needs it.
@EnableConfigurationProperties(ApiProperties.class)
class ReportControllerWebTests {

  private static final String KEY = "cvk_web-slice-key";
  private static final Caller CALLER = new Caller(42, "web-slice", Role.CLIENT);
  private static final String BODY = "{\"type\":\"voterList\",\"format\":\"CSV\"}";

  @Autowired MockMvcTester mvc;

  @MockitoBean ApiKeys keys;
  @MockitoBean ReportSubmission submission;
  @MockitoBean Reports reports;
  @MockitoBean ReportLifecycle lifecycle;
  @MockitoBean ArtifactFiles artifacts;

  @BeforeEach
  void validKey() {
    given(keys.authenticate(KEY)).willReturn(Optional.of(CALLER));
  }

  @Nested
  class Submit {

    @Test
    void acceptedSubmissionIs202WithLocationAndTheSubmittedReport() {
      Report report = pendingReport();
      given(submission.submit(eq(CALLER), any(), isNull()))
          .willReturn(new ReportSubmission.Submitted(report, 7, false));

      MvcTestResult result = submit(BODY).exchange();

      assertThat(result)
          .hasStatus(202)
          .hasContentType(MediaType.APPLICATION_JSON)
          .hasHeader("Location", "/api/reports/" + report.id())
          .doesNotContainHeader("Idempotent-Replayed");
      assertThat(result)
          .bodyJson()
          .isStrictlyEqualTo(
              "{\"reportId\":\"" + report.id() + "\",\"status\":\"PENDING\",\"jobsAhead\":7}");
    }

    @Test
    void bodyCallerAndIdempotencyKeyReachTheSubmission() {
      given(submission.submit(any(), any(), any()))
          .willReturn(new ReportSubmission.Submitted(pendingReport(), 0, false));

      assertThat(
              submit(
                      "{\"type\":\"voterList\",\"format\":\"XLSX\",\"parameters\":{\"county\":\"Kings\"},"
                          + "\"priority\":-5,\"runAt\":\"2030-01-31T08:00:00Z\"}")
                  .header("Idempotency-Key", "order-17"))
          .hasStatus(202);

      ArgumentCaptor<SubmitReportRequest> body = ArgumentCaptor.captor();
      then(submission).should().submit(eq(CALLER), body.capture(), eq("order-17"));
      assertThat(body.getValue())
          .isEqualTo(
              new SubmitReportRequest(
                  "voterList",
                  "XLSX",
                  JsonNodeFactory.instance.objectNode().put("county", "Kings"),
                  null,
                  -5,
                  Instant.parse("2030-01-31T08:00:00Z")));
    }

    @Test
    void replayedSubmissionSaysSoInAHeader() {
      given(submission.submit(any(), any(), any()))
          .willReturn(new ReportSubmission.Submitted(pendingReport(), 0, true));

      assertThat(submit(BODY).header("Idempotency-Key", "order-17"))
          .hasStatus(202)
          .hasHeader("Idempotent-Replayed", "true");
    }

    @Test
    void malformedJsonIs400ProblemAndNeverReachesTheSubmission() {
      MvcTestResult result = submit("{\"type\": \"voterList\" \"format\"").exchange();

      assertProblem(result, 400);
      assertThat(result)
          .bodyJson()
          .extractingPath("$.detail")
          .asString()
          .startsWith("Malformed JSON");
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void wronglyTypedFieldIs400NamingTheField() {
      MvcTestResult result = submit("{\"type\":\"voterList\",\"priority\":\"high\"}").exchange();

      assertProblem(result, 400);
      assertThat(result).bodyJson().extractingPath("$.errors[0].field").isEqualTo("priority");
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void unknownFieldIs400NamingTheField() {
      MvcTestResult result = submit("{\"type\":\"voterList\",\"colour\":\"red\"}").exchange();

      assertProblem(result, 400);
      assertThat(result).bodyJson().extractingPath("$.errors[0].field").isEqualTo("colour");
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void missingAuthorizationIs401ProblemAndNeverReachesTheSubmission() {
      MvcTestResult result =
          mvc.post()
              .uri("/api/reports")
              .contentType(MediaType.APPLICATION_JSON)
              .content(BODY)
              .exchange();

      assertProblem(result, 401);
      assertThat(result).hasHeader("WWW-Authenticate", "Bearer");
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void unknownKeyIs401ProblemAndNeverReachesTheSubmission() {
      MvcTestResult result =
          mvc.post()
              .uri("/api/reports")
              .header("Authorization", "Bearer cvk_unknown")
              .contentType(MediaType.APPLICATION_JSON)
              .content(BODY)
              .exchange();

      assertProblem(result, 401);
      assertThat(result)
          .bodyJson()
          .extractingPath("$.detail")
          .isEqualTo("The API key is not valid");
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void nonJsonContentTypeIs415Problem() {
      MvcTestResult result =
          mvc.post()
              .uri("/api/reports")
              .header("Authorization", "Bearer " + KEY)
              .contentType(MediaType.TEXT_PLAIN)
              .content(BODY)
              .exchange();

      assertProblem(result, 415);
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void invalidIdempotencyKeyRefusedByTheSubmissionIs400NamingTheHeader() {
      // The key's format is checked in ReportSubmission (mocked here; its check is covered by
      // SubmitReportTests): the web layer owns passing the header on and rendering the refusal.
      given(submission.submit(any(), any(), eq("bad key")))
          .willThrow(
              ApiException.badRequest(
                  "Idempotency-Key", "must be 1 to 255 visible ASCII characters"));

      MvcTestResult result = submit(BODY).header("Idempotency-Key", "bad key").exchange();

      assertProblem(result, 400);
      assertThat(result)
          .bodyJson()
          .extractingPath("$.errors[0].field")
          .isEqualTo("Idempotency-Key");
    }

    @Test
    void bodyOverTheJsonLimitIs413ProblemAndNeverReachesTheSubmission() {
      String huge = "{\"type\":\"" + "x".repeat(70 * 1024) + "\"}";

      assertProblem(submit(huge).exchange(), 413);
      then(submission).shouldHaveNoInteractions();
    }

    @Test
    void unexpectedFailureIs500ProblemWithoutItsExceptionOrMessage() {
      given(submission.submit(any(), any(), any()))
          .willThrow(new IllegalStateException("connection to db-host:5432 refused"));

      MvcTestResult result = submit(BODY).exchange();

      assertProblem(result, 500);
      assertThat(result)
          .bodyText()
          .contains("An unexpected error occurred; reference ")
          .doesNotContain("IllegalStateException", "db-host");
    }

    private MockMvcTester.MockMvcRequestBuilder submit(String json) {
      return mvc.post()
          .uri("/api/reports")
          .header("Authorization", "Bearer " + KEY)
          .contentType(MediaType.APPLICATION_JSON)
          .content(json);
    }
  }

  @Nested
  class Get {

    @Test
    void foundReportIs200WithItsView() {
      UUID id = UUID.fromString("0190b7e2-3c4d-7a00-8000-000000000001");
      given(reports.get(CALLER, id))
          .willReturn(
              new ReportView(
                  id,
                  "voterList",
                  "CSV",
                  "{\"county\":\"Kings\"}",
                  ReportStatus.COMPLETED,
                  100,
                  1,
                  false,
                  Instant.parse("2030-01-31T08:00:00Z"),
                  Instant.parse("2030-01-31T08:00:01Z"),
                  Instant.parse("2030-01-31T08:00:02Z"),
                  null,
                  new ReportView.ArtifactView(
                      "/api/reports/" + id + "/artifact", "r.csv", "text/csv", 12, "ab12"),
                  null,
                  null));

      MvcTestResult result = get("/api/reports/" + id);

      assertThat(result).hasStatus(200).hasContentType(MediaType.APPLICATION_JSON);
      assertThat(result)
          .bodyJson()
          .isStrictlyEqualTo(
              """
              {"reportId": "%s", "type": "voterList", "format": "CSV",
               "parameters": {"county": "Kings"}, "status": "COMPLETED", "progress": 100,
               "attempts": 1, "cancelRequested": false, "createdAt": "2030-01-31T08:00:00Z",
               "startedAt": "2030-01-31T08:00:01Z", "completedAt": "2030-01-31T08:00:02Z",
               "error": null,
               "artifact": {"url": "/api/reports/%s/artifact", "filename": "r.csv",
                            "contentType": "text/csv", "sizeBytes": 12, "sha256": "ab12"},
               "artifactExpiredAt": null, "callbackUrl": null}
              """
                  .formatted(id, id));
    }

    @Test
    void nonUuidIdIs400NamingTheFieldId() {
      MvcTestResult result = get("/api/reports/not-a-uuid");

      assertProblem(result, 400);
      assertThat(result).bodyJson().extractingPath("$.errors[0].field").isEqualTo("id");
      assertThat(result)
          .bodyJson()
          .extractingPath("$.errors[0].message")
          .isEqualTo("must be a UUID");
      then(reports).shouldHaveNoInteractions();
    }

    @Test
    void unknownReportIs404Problem() {
      UUID id = UUID.randomUUID();
      given(reports.get(CALLER, id)).willThrow(ApiException.notFound("No report " + id));

      MvcTestResult result = get("/api/reports/" + id);

      assertProblem(result, 404);
      assertThat(result).bodyJson().extractingPath("$.detail").isEqualTo("No report " + id);
    }

    @Test
    void missingAuthorizationIs401ProblemAndNeverReachesTheReports() {
      assertProblem(mvc.get().uri("/api/reports/" + UUID.randomUUID()).exchange(), 401);
      then(reports).shouldHaveNoInteractions();
    }

    private MvcTestResult get(String path) {
      return mvc.get().uri(path).header("Authorization", "Bearer " + KEY).exchange();
    }
  }

  /**
   * An RFC 9457 problem with this status, and nothing of the server's internals: no stack trace, no
   * exception class.
   */
  private static void assertProblem(MvcTestResult result, int status) {
    assertThat(result).hasStatus(status).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
    assertThat(result).bodyJson().extractingPath("$.status").isEqualTo(status);
    assertThat(result).bodyJson().extractingPath("$.title").asString().isNotBlank();
    assertThat(result).bodyJson().doesNotHavePath("$.trace").doesNotHavePath("$.exception");
    assertThat(result)
        .bodyText()
        .doesNotContain("Exception", "\tat ", "java.", "dev.conveyor", "springframework");
  }

  private static Report pendingReport() {
    return new Report(
        UUID.fromString("0190b7e2-3c4d-7a00-8000-00000000abcd"),
        CALLER.clientId(),
        new SubmitReportRequest.Valid(
            ReportType.VOTER_LIST,
            ReportFormat.CSV,
            JsonNodeFactory.instance.objectNode(),
            null,
            0,
            null,
            "fingerprint"),
        null,
        1,
        Instant.parse("2030-01-31T08:00:00Z"));
  }
}
