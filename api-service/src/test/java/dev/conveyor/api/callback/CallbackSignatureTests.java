package dev.conveyor.api.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Signing;
import dev.conveyor.api.Worker;
import dev.conveyor.api.web.ProblemType;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** {@code POST /internal/report-events} over real HTTP: only correctly signed events apply. */
class CallbackSignatureTests extends ApiTestBase {

  @Autowired WebhookReceiptPruner pruner;

  private Api client;
  private Worker worker;
  private String reportId;
  private String body;

  @BeforeEach
  void claimedReport() {
    client = newClient();
    worker = worker();
    reportId = client.submitVoterList();
    body = worker.started(worker.claim(reportId));
  }

  @Test
  void validSignatureIsApplied() {
    Api.Response r = worker.send(body);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("applied").asBoolean()).isTrue();
    assertThat(status()).isEqualTo("PROCESSING");
  }

  @Test
  void tamperedBodyIs401AndChangesNothing() {
    String id = "msg_" + UUID.randomUUID();
    long now = Instant.now().getEpochSecond();
    String signature = Signing.sign(Signing.CURRENT_SECRET, id, now, body);

    Api.Response r =
        worker.sendRaw(body.replace("report.started", "report.cancelled"), id, now, signature);

    assertRefused(r, "No webhook-signature matches");
  }

  @Test
  void wrongSecretIs401() {
    Api.Response r =
        worker.send(
            body,
            "msg_" + UUID.randomUUID(),
            Instant.now().getEpochSecond(),
            Signing.UNKNOWN_SECRET);

    assertRefused(r, "No webhook-signature matches");
  }

  @Test
  void staleTimestampIs401() {
    long sixMinutesAgo = Instant.now().minusSeconds(360).getEpochSecond();

    assertRefused(
        worker.send(body, "msg_" + UUID.randomUUID(), sixMinutesAgo, Signing.CURRENT_SECRET),
        "too old");
  }

  @Test
  void futureTimestampIs401() {
    long sixMinutesAhead = Instant.now().plusSeconds(360).getEpochSecond();

    assertRefused(
        worker.send(body, "msg_" + UUID.randomUUID(), sixMinutesAhead, Signing.CURRENT_SECRET),
        "future");
  }

  @Test
  void timestampWithinToleranceIsAccepted() {
    long fourMinutesAgo = Instant.now().minusSeconds(240).getEpochSecond();

    Api.Response r =
        worker.send(body, "msg_" + UUID.randomUUID(), fourMinutesAgo, Signing.CURRENT_SECRET);

    assertThat(r.json().get("applied").asBoolean()).isTrue();
  }

  @Test
  void missingHeadersAre401() {
    Api.Response r = anonymous.post("/internal/report-events", body);

    assertRefused(r, "Missing signature headers");
  }

  @Test
  void malformedSignatureHeaderIs401() {
    assertRefused(
        worker.sendRaw(body, "msg_1", Instant.now().getEpochSecond(), "v1,%%%not-base64"),
        "No webhook-signature");
    assertRefused(
        worker.sendRaw(body, "msg_2", Instant.now().getEpochSecond(), "garbage"),
        "No webhook-signature");
    assertRefused(worker.sendRaw(body, "msg_3", Long.MAX_VALUE, "v1,abc"), "future");
  }

  @Test
  void secretBeingRotatedOutIsStillAccepted() {
    Api.Response r =
        worker.send(
            body,
            "msg_" + UUID.randomUUID(),
            Instant.now().getEpochSecond(),
            Signing.PREVIOUS_SECRET);

    assertThat(r.json().get("applied").asBoolean()).isTrue();
  }

  @Test
  void anyOfSeveralListedSignaturesMayMatch() {
    String id = "msg_" + UUID.randomUUID();
    long now = Instant.now().getEpochSecond();
    String header =
        Signing.sign(Signing.UNKNOWN_SECRET, id, now, body)
            + " "
            + Signing.sign(Signing.PREVIOUS_SECRET, id, now, body);

    assertThat(worker.sendRaw(body, id, now, header).json().get("applied").asBoolean()).isTrue();
  }

  @Test
  void replayedWebhookIdIsAppliedOnce() {
    String id = "msg_" + UUID.randomUUID();
    long now = Instant.now().getEpochSecond();

    Api.Response first = worker.send(body, id, now, Signing.CURRENT_SECRET);
    Api.Response replay = worker.send(body, id, now, Signing.CURRENT_SECRET);

    assertThat(first.json().get("applied").asBoolean()).isTrue();
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json().get("applied").asBoolean()).isFalse();
    assertThat(replay.json().get("reason").asString()).contains("duplicate webhook-id");
    assertThat(
            jdbc.sql("SELECT count(*) FROM webhook_receipts WHERE webhook_id = :id")
                .param("id", id)
                .query(Long.class)
                .single())
        .isEqualTo(1);
  }

  @Test
  void aRefusedSignatureRecordsNoReceipt() {
    String id = "msg_" + UUID.randomUUID();
    worker.send(body, id, Instant.now().getEpochSecond(), Signing.UNKNOWN_SECRET);

    // The same id, correctly signed, still applies.
    assertThat(
            worker
                .send(body, id, Instant.now().getEpochSecond(), Signing.CURRENT_SECRET)
                .json()
                .get("applied")
                .asBoolean())
        .isTrue();
  }

  @Test
  void malformedJsonWithAValidSignatureIs400AndRecordsNoReceipt() {
    String id = "msg_" + UUID.randomUUID();
    Api.Response r =
        worker.send(
            "{\"type\": \"report.started\",",
            id,
            Instant.now().getEpochSecond(),
            Signing.CURRENT_SECRET);

    assertProblem(r, ProblemType.BAD_REQUEST);
    assertThat(
            worker
                .send(body, id, Instant.now().getEpochSecond(), Signing.CURRENT_SECRET)
                .json()
                .get("applied")
                .asBoolean())
        .isTrue();
  }

  @Test
  void prunerDeletesReceiptsOlderThanTheRetentionOnly() {
    jdbc.sql(
            "INSERT INTO webhook_receipts (webhook_id, received_at) VALUES"
                + " ('msg_old', now() - interval '2 hours'), ('msg_recent', now())")
        .update();

    assertThat(pruner.prune()).isGreaterThanOrEqualTo(1);

    assertThat(
            jdbc.sql(
                    "SELECT webhook_id FROM webhook_receipts WHERE webhook_id IN"
                        + " ('msg_old', 'msg_recent')")
                .query(String.class)
                .list())
        .containsExactly("msg_recent");
  }

  private void assertRefused(Api.Response r, String detail) {
    assertProblem(r, ProblemType.INVALID_SIGNATURE);
    assertThat(r.json().get("detail").asString()).contains(detail);
    assertThat(status()).isEqualTo("PENDING");
  }

  private String status() {
    return client.get("/api/reports/" + reportId).json().get("status").asString();
  }

  static Map<String, String> headers(String id, long ts, String sig) {
    return Map.of(
        "webhook-id", id, "webhook-timestamp", Long.toString(ts), "webhook-signature", sig);
  }
}
