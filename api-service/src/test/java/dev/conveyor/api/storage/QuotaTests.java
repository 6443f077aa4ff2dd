package dev.conveyor.api.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.web.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The per-client storage quota and upload rate, over real HTTP, counted in the database. */
class QuotaTests extends ApiTestBase {

  private static final byte[] SIX_HUNDRED_BYTES = csv(600);

  @Nested
  class StorageQuota {

    @Test
    void anUploadThatWouldExceedTheQuotaIs413AndStoresNothing() {
      Api client = newClient();
      setQuota(client, 1000);

      Api.Response first = upload(client, SIX_HUNDRED_BYTES);
      Api.Response second = upload(client, SIX_HUNDRED_BYTES);

      assertThat(first.status()).as(first.toString()).isEqualTo(201);
      assertProblem(second, ProblemType.QUOTA_EXCEEDED);
      assertThat(second.json().get("detail").asString())
          .contains("storage quota", "600 of 1000 bytes");
      assertThat(artifactsOf(client)).isEqualTo(1);
      assertThat(usedBytes(client)).isEqualTo(600);
    }

    @Test
    void aMultipartUploadIsHeldToTheSameQuota() {
      Api client = newClient();
      setQuota(client, 1000);
      String type = "multipart/form-data; boundary=" + BOUNDARY;

      Api.Response first = client.postChunked("/api/uploads", type, form(SIX_HUNDRED_BYTES));
      Api.Response second = client.postChunked("/api/uploads", type, form(SIX_HUNDRED_BYTES));

      assertThat(first.status()).as(first.toString()).isEqualTo(201);
      assertProblem(second, ProblemType.QUOTA_EXCEEDED);
      assertThat(second.json().get("detail").asString()).contains("storage quota");
      assertThat(usedBytes(client)).isEqualTo(600);
    }

    /**
     * Two uploads of one client race for a quota with room for one: the client's count is locked by
     * the first, so the second sees its bytes. Several rounds, each with its own client, so that
     * the two requests really overlap in some of them.
     */
    @Test
    void twoConcurrentUploadsAtTheQuotasEdgeNeverBothPass() throws Exception {
      for (int round = 0; round < 4; round++) {
        Api client = newClient();
        setQuota(client, 1000);
        List<Callable<Api.Response>> uploads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          uploads.add(() -> upload(client, SIX_HUNDRED_BYTES));
        }

        List<Integer> statuses = race(uploads).stream().map(Api.Response::status).toList();

        assertThat(statuses).containsExactlyInAnyOrder(201, 413);
        assertThat(usedBytes(client)).isEqualTo(600);
        assertThat(artifactsOf(client)).isEqualTo(1);
      }
    }

    @Test
    void aSubmissionWhileTheQuotaIsFullIs413AndEnqueuesNothing() {
      Api client = newClient();
      String before = client.submitVoterList();
      setQuota(client, 0);

      Api.Response refused =
          client.submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}");

      assertProblem(refused, ProblemType.QUOTA_EXCEEDED);
      assertThat(refused.json().get("detail").asString()).contains("storage quota");
      assertThat(reportsOf(client)).isEqualTo(1);
      assertThat(client.get("/api/reports/" + before).status()).isEqualTo(200);
    }

    @Test
    void theDefaultQuotaAppliesWithoutAnOverride() {
      Api client = newClient();

      Api.Response r = upload(client, SIX_HUNDRED_BYTES);

      assertThat(r.status()).isEqualTo(201);
      assertThat(
              jdbc.sql("SELECT quota_bytes FROM client_storage WHERE client_id = :id")
                  .param("id", client.clientId())
                  .query(Long.class)
                  .optional())
          .isEmpty();
      assertThat(ApiProperties.defaults().storage().quota().toBytes()).isEqualTo(1L << 30);
    }
  }

  @Nested
  class UploadRate {

    @Test
    void uploadsBeyondTheRateAre429WithRetryAfter() {
      Api client = newClient();
      int rate = ApiProperties.defaults().storage().uploadRate();
      for (int i = 0; i < rate; i++) {
        Api.Response r = upload(client, csv(10));
        assertThat(r.status()).as("upload %d: %s", i, r).isEqualTo(201);
      }

      Api.Response refused = upload(client, csv(10));

      assertProblem(refused, ProblemType.RATE_LIMITED);
      assertThat(refused.json().get("detail").asString()).contains("Too many uploads");
      int retryAfter = Integer.parseInt(refused.header("Retry-After"));
      // One period over the rate's uploads: the next slot frees up within the interval.
      assertThat(retryAfter).isBetween(1, 60 / rate + 1);
      assertThat(artifactsOf(client)).isEqualTo(rate);
      // Another client is not limited by this one.
      assertThat(upload(newClient(), csv(10)).status()).isEqualTo(201);
    }

    @Test
    void theRateIsCountedInTheDatabaseForEveryReplica() {
      Api client = newClient();
      // Another replica took every slot of the period: the row is all there is to share.
      jdbc.sql(
              "INSERT INTO client_upload_rate (client_id, tat) VALUES (:id, now() + interval '1"
                  + " minute')")
          .param("id", client.clientId())
          .update();

      Api.Response refused = upload(client, csv(10));

      assertProblem(refused, ProblemType.RATE_LIMITED);
      assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 3);
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private static final String BOUNDARY = "conveyor-quota-boundary-5e1c";

  private static byte[] form(byte[] content) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(
        ("--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.csv\""
                + "\r\nContent-Type: text/csv\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.writeBytes(content);
    out.writeBytes(
        ("\r\n--" + BOUNDARY + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static byte[] csv(int size) {
    byte[] body = new byte[size];
    java.util.Arrays.fill(body, (byte) 'x');
    body[size - 1] = '\n';
    return body;
  }

  private static Api.Response upload(Api client, byte[] body) {
    return client.post(
        "/api/uploads?filename=in.csv",
        new String(body, java.nio.charset.StandardCharsets.US_ASCII),
        Map.of("Content-Type", "text/csv"));
  }

  private void setQuota(Api client, long bytes) {
    jdbc.sql(
            "INSERT INTO client_storage (client_id, quota_bytes) VALUES (:id, :quota)"
                + " ON CONFLICT (client_id) DO UPDATE SET quota_bytes = EXCLUDED.quota_bytes")
        .param("id", client.clientId())
        .param("quota", bytes)
        .update();
  }

  private long usedBytes(Api client) {
    return jdbc.sql("SELECT coalesce(sum(used_bytes), 0) FROM client_storage WHERE client_id = :id")
        .param("id", client.clientId())
        .query(Long.class)
        .single();
  }

  private long reportsOf(Api client) {
    return jdbc.sql("SELECT count(*) FROM reports WHERE owner_id = :id")
        .param("id", client.clientId())
        .query(Long.class)
        .single();
  }
}
