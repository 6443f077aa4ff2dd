package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

      assertThat(r.status()).isEqualTo(404);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(b.get("/api/reports/" + id + "/artifact").status()).isEqualTo(404);
      assertThat(b.post("/api/reports/" + id + "/cancel", "").status()).isEqualTo(404);
      assertThat(a.get("/api/reports/" + id).status()).isEqualTo(200);
    }

    @Test
    void unknownReportIs404AndMalformedIdIs400() {
      Api client = newClient();

      assertThat(client.get("/api/reports/" + UUID.randomUUID()).status()).isEqualTo(404);
      Api.Response bad = client.get("/api/reports/not-a-uuid");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("id");
    }

    @Test
    void missingOrUnknownKeyIs401Problem() {
      Api.Response none = anonymous.get("/api/reports");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
      assertThat(none.contentType()).startsWith("application/problem+json");

      Api.Response wrong = new Api(port, "cvk_not-a-real-key").get("/api/reports");
      assertThat(wrong.status()).isEqualTo(401);
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
    }

    private static String field(Api.Response r) {
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
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

      assertThat(r.status()).isEqualTo(409);
      assertThat(r.contentType()).startsWith("application/problem+json");
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
      JsonNode view = client.get("/api/reports/" + id).json();
      assertThat(view.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(view.get("progress").asInt()).isEqualTo(100);
      assertThat(view.get("artifact").get("url").asString())
          .isEqualTo("/api/reports/" + id + "/artifact");
      assertThat(view.get("artifact").get("sizeBytes").asLong()).isEqualTo(csv.length);
      assertThat(view.get("artifact").get("sha256").asString()).hasSize(64);
      assertThat(view.get("completedAt").isNull()).isFalse();
    }
  }
}
