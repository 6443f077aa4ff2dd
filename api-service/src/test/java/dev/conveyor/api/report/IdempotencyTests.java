package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.web.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdempotencyTests extends ApiTestBase {

  private static final String BODY =
      "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}";

  @Test
  void sameKeyAndBodyReturnsTheSameReport() {
    Api client = newClient();

    Api.Response first = client.post("/api/reports", BODY, Map.of("Idempotency-Key", "k-1"));
    Api.Response again = client.post("/api/reports", BODY, Map.of("Idempotency-Key", "k-1"));

    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("reportId")).isEqualTo(first.json().get("reportId"));
    assertThat(again.header("Location")).isEqualTo(first.header("Location"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(reports(client)).isEqualTo(1);
    assertThat(jobs(client)).isEqualTo(1);
  }

  @Test
  void sameMeaningInAnotherSpellingIsTheSameRequest() {
    Api client = newClient();
    String reordered =
        "{\"parameters\":{\"county\":\" Kings \"},\"priority\":0,\"format\":\"csv\","
            + "\"type\":\"voterList\"}";

    Api.Response first = client.post("/api/reports", BODY, Map.of("Idempotency-Key", "k-2"));
    Api.Response again = client.post("/api/reports", reordered, Map.of("Idempotency-Key", "k-2"));

    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("reportId")).isEqualTo(first.json().get("reportId"));
  }

  @Test
  void sameKeyWithAnotherBodyIs409() {
    Api client = newClient();
    client.post("/api/reports", BODY, Map.of("Idempotency-Key", "k-3"));

    Api.Response other =
        client.post(
            "/api/reports",
            "{\"type\":\"voterList\",\"format\":\"XLSX\",\"parameters\":{\"county\":\"Kings\"}}",
            Map.of("Idempotency-Key", "k-3"));

    assertProblem(other, ProblemType.CONFLICT);
    assertThat(other.json().get("detail").asString()).contains("k-3");
    assertThat(reports(client)).isEqualTo(1);
  }

  @Test
  void keysBelongToOneClient() {
    Api a = newClient();
    Api b = newClient();

    Api.Response fromA = a.post("/api/reports", BODY, Map.of("Idempotency-Key", "shared"));
    Api.Response fromB = b.post("/api/reports", BODY, Map.of("Idempotency-Key", "shared"));

    assertThat(fromB.status()).isEqualTo(202);
    assertThat(fromB.json().get("reportId")).isNotEqualTo(fromA.json().get("reportId"));
  }

  @Test
  void tenConcurrentIdenticalRequestsMakeOneReportAndOneJob() throws Exception {
    Api client = newClient();
    int n = 10;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Api.Response>> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      for (int i = 0; i < n; i++) {
        responses.add(
            pool.submit(
                () -> {
                  start.await();
                  return client.post("/api/reports", BODY, Map.of("Idempotency-Key", "race"));
                }));
      }
      start.countDown();
      List<String> ids = new ArrayList<>();
      for (Future<Api.Response> f : responses) {
        Api.Response r = f.get();
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        ids.add(r.json().get("reportId").asString());
      }
      assertThat(ids).hasSize(n).containsOnly(ids.getFirst());
    }
    assertThat(reports(client)).isEqualTo(1);
    assertThat(jobs(client)).isEqualTo(1);
  }

  private long reports(Api client) {
    return jdbc.sql("SELECT count(*) FROM reports WHERE owner_id = :owner")
        .param("owner", client.clientId())
        .query(Long.class)
        .single();
  }

  /**
   * Jobs enqueued since the test began (tests run one at a time, and the losers of a race would
   * have left jobs whose reports do not exist, so count every new job).
   */
  private long jobs(Api client) {
    return jdbc.sql("SELECT count(*) FROM conveyor.queue_job WHERE id > :before")
        .param("before", jobsBefore)
        .query(Long.class)
        .single();
  }

  private long jobsBefore;

  @BeforeEach
  void rememberLastJob() {
    jobsBefore =
        jdbc.sql("SELECT coalesce(max(id), 0) FROM conveyor.queue_job").query(Long.class).single();
  }
}
