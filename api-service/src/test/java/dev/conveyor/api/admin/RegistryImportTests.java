package dev.conveyor.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/admin/registry-imports}: admins read the audit the worker writes, newest first,
 * page by page. (The rows are written here directly; worker-service's EndToEndTests has them
 * written by real imports.)
 */
class RegistryImportTests extends ApiTestBase {

  @Test
  void clientAndRegistrarKeysAreRefused() {
    for (Api caller : new Api[] {newClient(), newClient(Role.REGISTRAR)}) {
      Api.Response r = caller.get("/api/admin/registry-imports");
      assertProblem(r, ProblemType.FORBIDDEN);
    }
    assertThat(anonymous.get("/api/admin/registry-imports").status()).isEqualTo(401);
  }

  @Test
  void listsImportsNewestFirstPageByPage() {
    Api registrar = newClient(Role.REGISTRAR);
    // Far ahead of every other row of the shared database, so these three are the newest.
    Instant base = Instant.parse("9000-01-01T00:00:00Z").plusSeconds(System.nanoTime() % 100_000);
    UUID oldest = audit(registrar, base, null);
    UUID middle = audit(registrar, base.plusSeconds(1), new String[] {"Albany", "Kings"});
    UUID newest = audit(registrar, base.plusSeconds(2), null);
    Api admin = newClient(Role.ADMIN);

    JsonNode first = admin.get("/api/admin/registry-imports?limit=2").json();
    JsonNode second =
        admin
            .get("/api/admin/registry-imports?limit=2&cursor=" + first.get("nextCursor").asString())
            .json();

    assertThat(reportIds(first)).containsExactly(newest.toString(), middle.toString());
    assertThat(reportIds(second).getFirst()).isEqualTo(oldest.toString());
    JsonNode row = first.get("items").get(1);
    assertThat(row.get("clientId").asLong()).isEqualTo(registrar.clientId());
    assertThat(row.get("clientName").asString()).startsWith("test-registrar-");
    assertThat(row.get("counties").toString()).isEqualTo("[\"Albany\",\"Kings\"]");
    assertThat(row.get("uploadSha256").asString()).isEqualTo("ab".repeat(32));
    assertThat(row.get("rowsRead").asLong()).isEqualTo(10);
    assertThat(row.get("inserted").asLong()).isEqualTo(4);
    assertThat(row.get("updated").asLong()).isEqualTo(3);
    assertThat(row.get("unchanged").asLong()).isEqualTo(2);
    assertThat(row.get("rejected").asLong()).isEqualTo(1);
    assertThat(row.get("importedAt").asString()).isEqualTo(base.plusSeconds(1).toString());
    assertThat(first.get("items").get(0).get("counties").isNull()).isTrue();
    assertThat(row.get("status").asString()).isEqualTo("completed");
  }

  /** voterImport applies in slices: a cancelled import keeps its counts so far and says so. */
  @Test
  void listsTheStatusOfAnImportThatDidNotComplete() {
    Api registrar = newClient(Role.REGISTRAR);
    // Newer than every real row, older than the page test's three (which must stay the newest).
    Instant at = Instant.parse("8999-01-01T00:00:00Z").plusSeconds(System.nanoTime() % 100_000);
    UUID cancelled = audit(registrar, at, null);
    jdbc.sql(
            """
            INSERT INTO registry_import_progress (report_id, job_id, status, applied_line)
            VALUES (:report, 1, 'cancelled', 7)
            """)
        .param("report", cancelled)
        .update();

    JsonNode items =
        newClient(Role.ADMIN).get("/api/admin/registry-imports?limit=10").json().get("items");

    JsonNode row = null;
    for (JsonNode item : items) {
      if (item.get("reportId").asString().equals(cancelled.toString())) {
        row = item;
      }
    }
    assertThat(row).isNotNull();
    assertThat(row.get("status").asString()).isEqualTo("cancelled");
    assertThat(row.get("rowsRead").asLong()).isEqualTo(10);
  }

  @Test
  void theOpenApiDescriptionHasTheAuditListAndKeyCreation() {
    JsonNode docs = anonymous.get("/v3/api-docs").json();

    JsonNode list = docs.get("paths").get("/api/admin/registry-imports").get("get");
    assertThat(list.get("summary").asString()).contains("newest first");
    assertThat(list.get("parameters").findValuesAsString("name")).contains("limit", "cursor");
    JsonNode schemas = docs.get("components").get("schemas");
    String page = list.get("responses").get("200").get("content").findValue("$ref").asString();
    String row =
        schemas
            .get(page.substring(page.lastIndexOf('/') + 1))
            .get("properties")
            .get("items")
            .get("items")
            .get("$ref")
            .asString();
    assertThat(
            schemas.get(row.substring(row.lastIndexOf('/') + 1)).get("properties").propertyNames())
        .contains("clientId", "reportId", "uploadSha256", "counties", "rejected", "importedAt");
    assertThat(docs.get("paths").get("/api/admin/api-keys").has("post")).isTrue();
  }

  @Test
  void aBadCursorOrLimitIs400NamingIt() {
    Api admin = newClient(Role.ADMIN);

    Api.Response cursor = admin.get("/api/admin/registry-imports?cursor=bm90LWEtY3Vyc29y");
    Api.Response limit = admin.get("/api/admin/registry-imports?limit=0");

    assertProblem(cursor, ProblemType.BAD_REQUEST);
    assertThat(cursor.json().get("errors").findValuesAsString("field")).containsExactly("cursor");
    assertProblem(limit, ProblemType.BAD_REQUEST);
    assertThat(limit.json().get("errors").findValuesAsString("field")).containsExactly("limit");
  }

  private UUID audit(Api client, Instant at, String[] counties) {
    UUID report = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO registry_imports (client_id, report_id, upload_id, upload_sha256, counties,
                                          rows_read, inserted, updated, unchanged, rejected,
                                          imported_at)
            VALUES (:client, :report, :upload, repeat('ab', 32), :counties, 10, 4, 3, 2, 1, :at)
            """)
        .param("client", client.clientId())
        .param("report", report)
        .param("upload", UUID.randomUUID())
        .param("counties", counties)
        .param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
        .update();
    return report;
  }

  private static List<String> reportIds(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(item -> ids.add(item.get("reportId").asString()));
    return ids;
  }
}
