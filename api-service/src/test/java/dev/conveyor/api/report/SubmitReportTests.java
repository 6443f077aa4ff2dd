package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class SubmitReportTests extends ApiTestBase {

  @Autowired JobQueue queue;

  @Nested
  class Accepted {

    @Test
    void submitAnswers202WithLocationAndWritesReportAndJob() {
      Api client = newClient();
      Api.Response r =
          client.submit(
              """
              {"type": "voterList", "format": "XLSX",
               "parameters": {"county": "Kings", "assemblyDistrict": 52, "party": "DEM"},
               "priority": -5}
              """);

      assertThat(r.status()).isEqualTo(202);
      String id = r.json().get("reportId").asString();
      assertThat(r.header("Location")).isEqualTo("/api/reports/" + id);
      assertThat(r.json().get("status").asString()).isEqualTo("PENDING");
      assertThat(r.json().get("jobsAhead").isIntegralNumber()).isTrue();

      Job job = queue.findByUniqueKey(id).orElseThrow();
      assertThat(job.kind()).isEqualTo("report.generate");
      assertThat(job.queue()).isEqualTo("reports");
      assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job.priority()).isEqualTo(-5);
      assertThat(job.partitionKey()).isEqualTo("client:" + client.clientId());
      assertThat(Api.JSON.readTree(job.payload()).get("reportId").asString()).isEqualTo(id);

      JsonNode report = client.get("/api/reports/" + id).json();
      assertThat(report.get("status").asString()).isEqualTo("PENDING");
      assertThat(report.get("type").asString()).isEqualTo("voterList");
      assertThat(report.get("format").asString()).isEqualTo("XLSX");
      assertThat(report.get("parameters"))
          .isEqualTo(
              Api.JSON.readTree(
                  "{\"county\":\"Kings\",\"assemblyDistrict\":52,\"party\":\"DEM\"}"));
      assertThat(report.get("progress").asInt()).isZero();
      assertThat(report.get("artifact").isNull()).isTrue();
    }

    @Test
    void jobsAheadCountsAvailableJobsOfTheQueueBeforeThisOne() {
      Api client = newClient();
      // Priority 100 is the lowest: every waiting report job of the shared queue is ahead.
      Api.Response first =
          client.submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"},"
                  + "\"priority\":100}");
      Api.Response second =
          client.submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Queens\"},"
                  + "\"priority\":100}");

      assertThat(second.json().get("jobsAhead").asLong())
          .isEqualTo(first.json().get("jobsAhead").asLong() + 1);
    }

    @Test
    void delayedReportIsQueuedForItsRunAt() {
      Api client = newClient();
      Instant runAt = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
      String id =
          client
              .submit(
                  "{\"type\":\"ldCommittees\",\"format\":\"PDF\",\"parameters\":{\"county\":"
                      + "\"Kings\",\"assemblyDistrict\":52,\"party\":\"DEM\"},\"runAt\":\""
                      + runAt
                      + "\"}")
              .json()
              .get("reportId")
              .asString();

      assertThat(queue.findByUniqueKey(id).orElseThrow().runAt()).isEqualTo(runAt);
    }

    @Test
    void everyTypeAcceptsItsDocumentedParameters() {
      // A registrar: voterImport writes the registry; every other type is a client's too.
      Api client = newClient(Role.REGISTRAR);
      String upload =
          client
              .post(
                  "/api/uploads?filename=voters.csv",
                  "id,name\n1,Ada\n",
                  Map.of("Content-Type", "text/csv"))
              .json()
              .get("uploadId")
              .asString();
      assertThat(
              client
                  .submit(
                      """
                      {"type": "absenteeReport", "format": "CSV",
                       "parameters": {"county": "Kings", "electionDate": "2026-11-03", "status": "SENT"}}
                      """)
                  .status())
          .isEqualTo(202);
      assertThat(
              client
                  .submit(
                      """
                      {"type": "designatedPetition", "format": "PDF",
                       "parameters": {"county": "Kings", "assemblyDistrict": 52, "party": "DEM",
                                      "office": "Member of Assembly", "candidateName": "Ada Lovelace",
                                      "electionDate": "2026-06-23"}}
                      """)
                  .status())
          .isEqualTo(202);
      assertThat(
              client
                  .submit(
                      "{\"type\":\"voterImport\",\"format\":\"CSV\",\"parameters\":{\"uploadId\":\""
                          + upload
                          + "\",\"county\":\"Kings\"}}")
                  .status())
          .isEqualTo(202);
    }
  }

  @Nested
  class Validation {

    /** Each bad field is named in a 422 problem. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            type missing              | {"format":"CSV","parameters":{"county":"Kings"}}                                   | type
            type unknown              | {"type":"salesReport","format":"CSV","parameters":{}}                              | type
            format missing            | {"type":"voterList","parameters":{"county":"Kings"}}                               | format
            format unknown            | {"type":"voterList","format":"DOCX","parameters":{"county":"Kings"}}               | format
            format not for the type   | {"type":"designatedPetition","format":"CSV","parameters":{}}                       | format
            parameters not an object  | {"type":"voterList","format":"CSV","parameters":[1]}                               | parameters
            required parameter absent | {"type":"voterList","format":"CSV","parameters":{}}                                | parameters.county
            unknown parameter         | {"type":"voterList","format":"CSV","parameters":{"county":"Kings","color":"red"}} | parameters.color
            parameter of wrong type   | {"type":"voterList","format":"CSV","parameters":{"county":"Kings","assemblyDistrict":"five"}} | parameters.assemblyDistrict
            parameter out of range    | {"type":"voterList","format":"CSV","parameters":{"county":"Kings","assemblyDistrict":151}} | parameters.assemblyDistrict
            parameter not a choice    | {"type":"voterList","format":"CSV","parameters":{"county":"Kings","party":"XYZ"}}  | parameters.party
            parameter bad pattern     | {"type":"voterList","format":"CSV","parameters":{"county":"<script>"}}             | parameters.county
            parameter bad date        | {"type":"absenteeReport","format":"CSV","parameters":{"county":"Kings","electionDate":"11/03/2026"}} | parameters.electionDate
            rule between parameters   | {"type":"voterList","format":"CSV","parameters":{"county":"Kings","electionDistrict":3}} | parameters.electionDistrict
            upload of nobody          | {"type":"voterImport","format":"CSV","parameters":{"county":"Kings","uploadId":"6d1f4c36-0d5c-4a43-9df4-5b7f2b8d3d11"}} | parameters.uploadId
            callbackUrl not http      | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"ftp://x.test/a"} | callbackUrl
            callbackUrl relative      | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"/hook"} | callbackUrl
            callbackUrl credentials   | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"https://u:p@x.test/a"} | callbackUrl
            callbackUrl localhost     | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"http://localhost:8080/a"} | callbackUrl
            callbackUrl loopback IP   | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"http://127.0.0.1/a"} | callbackUrl
            callbackUrl loopback IPv6 | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"http://[::1]/a"} | callbackUrl
            callbackUrl private IP    | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"https://10.0.0.5/a"} | callbackUrl
            callbackUrl metadata IP   | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"http://169.254.169.254/latest"} | callbackUrl
            callbackUrl decimal IP    | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"callbackUrl":"http://2130706433/a"} | callbackUrl
            priority out of range     | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"priority":101} | priority
            runAt too far ahead       | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"runAt":"2999-01-01T00:00:00Z"} | runAt
            runAt before 1970         | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"runAt":"-290000-01-01T00:00:00Z"} | runAt
            """)
    void invalidFieldIs422ProblemNamingIt(String why, String body, String field) {
      // A registrar, so that voterImport's own rules are reached.
      Api client = newClient(Role.REGISTRAR);
      long reportsBefore = reportCount(client);

      Api.Response r = client.submit(body);

      assertProblem(r, ProblemType.VALIDATION);
      assertThat(r.json().get("status").asInt()).isEqualTo(422);
      assertThat(r.json().get("detail").asString()).contains(field);
      assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
      assertThat(reportCount(client)).isEqualTo(reportsBefore);
    }

    @Test
    void aCallbackUrlLongerThan2048CharactersIs422() {
      String url =
          "https://client.example/" + "a".repeat(2049 - "https://client.example/".length());
      Api.Response r =
          newClient()
              .submit(
                  "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"},"
                      + "\"callbackUrl\":\""
                      + url
                      + "\"}");

      assertProblem(r, ProblemType.VALIDATION);
      assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("callbackUrl");
      assertThat(r.json().get("detail").asString()).contains("2048");
    }

    /** JSON that cannot be read into the request is a 400 naming the field where possible. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            priority not a number | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"priority":"high"} | priority
            runAt not a date      | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"runAt":"tomorrow"} | runAt
            type not a string     | {"type":{"a":1},"format":"CSV","parameters":{"county":"Kings"}}                      | type
            unknown field         | {"type":"voterList","format":"CSV","parameters":{"county":"Kings"},"colour":"red"}  | colour
            """)
    void unreadableFieldIs400ProblemNamingIt(String why, String body, String field) {
      Api.Response r = newClient().submit(body);

      assertProblem(r, ProblemType.BAD_REQUEST);
      assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly(field);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            truncated     | {"type":"voterList","format":
            not JSON      | type=voterList
            trailing junk | {"type":"voterList"} x
            """)
    void malformedJsonIs400NotA500(String why, String body) {
      Api.Response r = newClient().submit(body);

      assertProblem(r, ProblemType.BAD_REQUEST);
      assertThat(r.json().get("detail").asString()).startsWith("Malformed JSON");
      assertThat(r.body()).doesNotContain("Exception", "jackson", "at dev.");
    }

    @Test
    void emptyBodyIs400() {
      Api.Response r = newClient().submit("");

      assertProblem(r, ProblemType.BAD_REQUEST);
    }

    @Test
    void invalidIdempotencyKeyIs400NamingTheHeader() {
      Api.Response r =
          newClient()
              .post(
                  "/api/reports",
                  "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}",
                  Map.of("Idempotency-Key", "x".repeat(256)));

      assertProblem(r, ProblemType.BAD_REQUEST);
      assertThat(r.json().get("errors").findValuesAsString("field"))
          .containsExactly("Idempotency-Key");
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
      String big =
          "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\""
              + "K".repeat(20_000)
              + "\"}}";

      Api.Response r =
          newClient()
              .postChunked(
                  "/api/reports",
                  "application/json",
                  big.getBytes(java.nio.charset.StandardCharsets.UTF_8));

      assertProblem(r, ProblemType.PAYLOAD_TOO_LARGE);
    }

    @Test
    void bodyOverTheLimitIs413() {
      String big =
          "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\""
              + "K".repeat(20_000)
              + "\"}}";

      Api.Response r = newClient().submit(big);

      assertProblem(r, ProblemType.PAYLOAD_TOO_LARGE);
    }

    @Test
    void bodyOverTheLimitIs413WhenThePathIsSpelledLikeTheUploadsPath() {
      String big =
          "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\""
              + "K".repeat(20_000)
              + "\"}}";

      // The container resolves the dot segment to /api/reports: the uploads' larger limit must
      // not apply to it.
      Api.Response r = newClient().post("/api/uploads/../reports", big);

      assertProblem(r, ProblemType.PAYLOAD_TOO_LARGE);
    }
  }

  private long reportCount(Api client) {
    return jdbc.sql("SELECT count(*) FROM reports WHERE owner_id = :owner")
        .param("owner", client.clientId())
        .query(Long.class)
        .single();
  }
}
