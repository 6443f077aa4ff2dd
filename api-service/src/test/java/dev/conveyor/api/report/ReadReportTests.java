package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import dev.conveyor.api.web.ProblemType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ReadReportTests extends ApiTestBase {

  @Nested
  class Get {

    @Test
    void anotherClientsReportIs404NotForbidden() {
      Api a = newClient();
      Api b = newClient();
      String id = a.submitVoterList();

      Api.Response r = b.get("/api/reports/" + id);

      assertProblem(r, ProblemType.NOT_FOUND);
      assertThat(b.get("/api/reports/" + id + "/artifact").status()).isEqualTo(404);
      assertThat(b.post("/api/reports/" + id + "/cancel", "").status()).isEqualTo(404);
      assertThat(a.get("/api/reports/" + id).status()).isEqualTo(200);
    }

    @Test
    void unknownReportIs404AndMalformedIdIs400() {
      Api client = newClient();

      assertThat(client.get("/api/reports/" + UUID.randomUUID()).status()).isEqualTo(404);
      Api.Response bad = client.get("/api/reports/not-a-uuid");
      assertProblem(bad, ProblemType.BAD_REQUEST);
      assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("id");
    }

    @Test
    void missingOrUnknownKeyIs401Problem() {
      Api.Response none = anonymous.get("/api/reports");
      assertProblem(none, ProblemType.UNAUTHORIZED);
      assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
      assertThat(none.contentType()).startsWith("application/problem+json");

      Api.Response wrong = new Api(port, "cvk_not-a-real-key").get("/api/reports");
      assertProblem(wrong, ProblemType.UNAUTHORIZED);
    }
  }

  @Nested
  class List_ {

    @Test
    void listsOwnReportsNewestFirstInPagesWithACursor() {
      Api client = newClient();
      Api other = newClient();
      other.submitVoterList();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(client.submitVoterList());
      }

      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonNode page =
            client.get("/api/reports?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
        page.get("items").forEach(item -> seen.add(item.get("reportId").asString()));
        cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        pages++;
      } while (cursor != null);

      assertThat(pages).isEqualTo(3);
      assertThat(seen).containsExactlyElementsOf(ids.reversed());
    }

    /**
     * Reports created in the same microsecond (a burst across replicas) are ordered by id within
     * it: split over pages, none is skipped or repeated, with and without a status filter.
     */
    @Test
    void reportsCreatedInTheSameMicrosecondAreNeitherSkippedNorRepeatedAcrossPages() {
      Api client = newClient();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        ids.add(client.submitVoterList());
      }
      client.post("/api/reports/" + ids.get(3) + "/cancel", "");
      jdbc.sql(
              "UPDATE reports SET created_at = '2026-01-01T00:00:00.123456Z'"
                  + " WHERE owner_id = :owner")
          .param("owner", client.clientId())
          .update();

      for (String filter : List.of("", "&status=PENDING", "&status=PENDING,CANCELLED")) {
        for (int size = 1; size <= 3; size++) {
          List<String> seen = new ArrayList<>();
          String cursor = null;
          do {
            JsonNode page =
                client
                    .get(
                        "/api/reports?limit="
                            + size
                            + filter
                            + (cursor == null ? "" : "&cursor=" + cursor))
                    .json();
            page.get("items").forEach(item -> seen.add(item.get("reportId").asString()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
          } while (cursor != null);

          List<String> expected = new ArrayList<>(ids);
          if (filter.equals("&status=PENDING")) {
            expected.remove(ids.get(3));
          }
          assertThat(seen).as(filter + " size " + size).doesNotHaveDuplicates();
          assertThat(seen)
              .as(filter + " size " + size)
              .containsExactlyInAnyOrderElementsOf(expected);
        }
      }
    }

    @Test
    void filtersByStatus() {
      Api client = newClient();
      String kept = client.submitVoterList();
      String cancelled = client.submitVoterList();
      client.post("/api/reports/" + cancelled + "/cancel", "");

      JsonNode pending = client.get("/api/reports?status=PENDING").json();
      JsonNode both = client.get("/api/reports?status=pending,cancelled").json();

      assertThat(pending.get("items").findValuesAsString("reportId")).containsExactly(kept);
      assertThat(both.get("items").findValuesAsString("reportId")).containsExactly(cancelled, kept);
    }

    @Test
    void badFilterLimitOrCursorIs400NamingIt() {
      Api client = newClient();

      assertThat(field(client.get("/api/reports?status=DONE"))).isEqualTo("status");
      assertThat(field(client.get("/api/reports?limit=0"))).isEqualTo("limit");
      assertThat(field(client.get("/api/reports?limit=many"))).isEqualTo("limit");
      assertThat(field(client.get("/api/reports?cursor=garbage"))).isEqualTo("cursor");
      // Well-formed, but at a time PostgreSQL cannot hold.
      assertThat(field(client.get("/api/reports?cursor=" + cursor("+300000-01-01T00:00:00Z"))))
          .isEqualTo("cursor");
      assertThat(field(client.get("/api/reports?cursor=" + cursor("-300000-01-01T00:00:00Z"))))
          .isEqualTo("cursor");
    }

    private static String cursor(String createdAt) {
      return java.util.Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((createdAt + "|" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
    }

    private static String field(Api.Response r) {
      assertProblem(r, ProblemType.BAD_REQUEST);
      return r.json().get("errors").get(0).get("field").asString();
    }
  }

  @Nested
  class Artifact {

    @Test
    void artifactIs409UntilTheReportIsCompleted() {
      Api client = newClient();
      String id = client.submitVoterList();

      Api.Response r = client.get("/api/reports/" + id + "/artifact");

      assertProblem(r, ProblemType.REPORT_NOT_READY);
      assertThat(r.json().get("detail").asString()).contains("PENDING");
    }

    @Test
    void completedReportStreamsItsFileWithHeaders() {
      Api client = newClient();
      String id = client.submitVoterList();
      Worker worker = worker();
      Worker.Attempt attempt = worker.claim(id);
      byte[] csv =
          "id,name\n1,Ada Lovelace\n2,Grace Hopper\n3,Ünal Çelik\n"
              .getBytes(StandardCharsets.UTF_8);
      UUID artifact = worker.storeArtifact(id, "voters-kings.csv", "text/csv", csv);
      worker.send(worker.started(attempt));
      worker.send(worker.completed(attempt, artifact));

      HttpResponse<byte[]> file = client.getBytes("/api/reports/" + id + "/artifact");

      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.body()).isEqualTo(csv);
      assertThat(file.headers().firstValue("Content-Type")).hasValue("text/csv");
      assertThat(file.headers().firstValue("Content-Length"))
          .hasValue(Integer.toString(csv.length));
      assertThat(file.headers().firstValue("Content-Disposition").orElseThrow())
          .contains("attachment", "voters-kings.csv");
      String etag = file.headers().firstValue("ETag").orElseThrow();
      assertThat(etag).hasSize(66);
      assertThat(
              client
                  .get("/api/reports/" + id + "/artifact", java.util.Map.of("If-None-Match", etag))
                  .status())
          .isEqualTo(304);
      JsonNode view = client.get("/api/reports/" + id).json();
      assertThat(view.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(view.get("progress").asInt()).isEqualTo(100);
      assertThat(view.get("artifact").get("url").asString())
          .isEqualTo("/api/reports/" + id + "/artifact");
      assertThat(view.get("artifact").get("sizeBytes").asLong()).isEqualTo(csv.length);
      assertThat(view.get("artifact").get("sha256").asString()).hasSize(64);
      assertThat(view.get("completedAt").isNull()).isFalse();
    }

    /**
     * A download lasts as long as the client takes to read it: a large file on a slow link must not
     * be cut by the asynchronous request timeout (2 s in the test context, 30 s by default).
     */
    @Test
    void slowReaderGetsTheWholeFile() throws Exception {
      Api client = newClient();
      String id = completedWithLargeFile(client);

      try (InputStream in = download(client, id)) {
        byte[] first = in.readNBytes(64 * 1024);
        // Stop reading for longer than the async request timeout, as a slow link would.
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);

        assertThat(first.length + in.transferTo(OutputStream.nullOutputStream()))
            .isEqualTo(LARGE_FILE);
      }
    }

    /**
     * A client that reads slowly must not hold one of the pool's database connections for as long
     * as it likes: a few of them would otherwise stall every request of every client.
     */
    @Test
    void slowReaderHoldsNoDatabaseConnection() throws Exception {
      Api client = newClient();
      String id = completedWithLargeFile(client);

      try (InputStream in = download(client, id)) {
        in.readNBytes(64 * 1024);

        await()
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(3))
            .until(
                () ->
                    jdbc.sql(
                            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in"
                                + " transaction' AND query LIKE '%FROM artifact_chunks%'")
                        .query(Long.class)
                        .single(),
                is(0L));
      }
    }

    private static final int LARGE_FILE = 16 << 20;

    /** A COMPLETED report whose file is 16 MiB in 1 MiB chunks, more than sockets buffer. */
    private String completedWithLargeFile(Api client) {
      String id = client.submitVoterList();
      Worker worker = worker();
      Worker.Attempt attempt = worker.claim(id);
      UUID artifact = worker.storeArtifact(id, "large.csv", "text/csv", new byte[0]);
      byte[] chunk = new byte[LARGE_FILE / 16];
      java.util.Arrays.fill(chunk, (byte) 'x');
      for (int seq = 0; seq < 16; seq++) {
        jdbc.sql("INSERT INTO artifact_chunks (artifact_id, seq, data) VALUES (:id, :seq, :data)")
            .param("id", artifact)
            .param("seq", seq)
            .param("data", chunk)
            .update();
      }
      jdbc.sql("UPDATE artifacts SET size_bytes = :size WHERE id = :id")
          .param("size", LARGE_FILE)
          .param("id", artifact)
          .update();
      worker.send(worker.started(attempt));
      assertThat(worker.send(worker.completed(attempt, artifact)).json().get("applied").asBoolean())
          .isTrue();
      return id;
    }

    private InputStream download(Api client, String id) throws Exception {
      HttpResponse<InputStream> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://localhost:" + port + "/api/reports/" + id + "/artifact"))
                      .header("Authorization", "Bearer " + client.key())
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }
  }
}
