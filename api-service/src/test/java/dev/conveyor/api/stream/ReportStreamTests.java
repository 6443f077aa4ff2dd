package dev.conveyor.api.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code GET /api/reports/{id}/events} read by a real HTTP client. */
class ReportStreamTests extends ApiTestBase {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void streamDeliversEachChangeThenTheFinalEventAndCloses() throws Exception {
    Api client = newClient();
    String id = client.submitVoterList();
    Worker worker = worker();

    try (SseClient sse = new SseClient(client.stream("/api/reports/" + id + "/events"))) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      assertThat(sse.response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/event-stream");

      SseClient.Item first = sse.nextEvent(WAIT);
      assertThat(first.name()).isEqualTo("report");
      assertThat(first.json().get("status").asString()).isEqualTo("PENDING");

      Worker.Attempt a = worker.claim(id);
      worker.send(worker.started(a));
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("PROCESSING");

      worker.send(worker.progress(a, 50));
      SseClient.Item progress = sse.nextEvent(WAIT);
      assertThat(progress.json().get("progress").asInt()).isEqualTo(50);

      UUID file = worker.storeArtifact(id, "r.csv", "text/csv", new byte[] {'a'});
      worker.send(worker.completed(a, file));
      SseClient.Item last = sse.nextEvent(WAIT);
      assertThat(last.json().get("status").asString()).isEqualTo("COMPLETED");
      assertThat(last.json().get("artifact").get("url").asString()).endsWith("/artifact");

      assertThat(sse.nextEvent(WAIT)).isEqualTo(SseClient.END);
    }
  }

  @Test
  void idleStreamGetsHeartbeatComments() throws Exception {
    Api client = newClient();
    String id = client.submitVoterList();

    try (SseClient sse = new SseClient(client.stream("/api/reports/" + id + "/events"))) {
      assertThat(sse.nextComment(WAIT).data()).isEqualTo("heartbeat");
      assertThat(sse.nextComment(WAIT).data()).isEqualTo("heartbeat");
    }
  }

  @Test
  void finishedReportGetsItsFinalStateAndTheStreamEnds() throws Exception {
    Api client = newClient();
    String id = client.submitVoterList();
    client.post("/api/reports/" + id + "/cancel", "");

    try (SseClient sse = new SseClient(client.stream("/api/reports/" + id + "/events"))) {
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("CANCELLED");
      assertThat(sse.nextEvent(WAIT)).isEqualTo(SseClient.END);
    }
  }

  /**
   * A change committed by another process (here a plain JDBC connection, as another API replica
   * would) reaches this instance's stream: the push is driven by NOTIFY from the database, not by
   * anything in this process.
   */
  @Test
  void changeCommittedElsewhereReachesTheStreamThroughNotify() throws Exception {
    Api client = newClient();
    String id = client.submitVoterList();

    try (SseClient sse = new SseClient(client.stream("/api/reports/" + id + "/events"));
        Connection other = DriverManager.getConnection(db.url(), db.user(), db.password())) {
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("PENDING");

      try (Statement s = other.createStatement()) {
        s.execute("UPDATE reports SET cancel_requested_at = now() WHERE id = '" + id + "'");
      }

      assertThat(sse.nextEvent(WAIT).json().get("cancelRequested").asBoolean()).isTrue();
    }
  }

  /**
   * Every open stream holds a connection of the server for up to the stream timeout (30 minutes):
   * without a cap, one client could take all of them. The test context allows 3 per client.
   */
  @Test
  void aClientMayHoldOnlySoManyStreamsAndAFinishedOneFreesItsPlace() throws Exception {
    Api client = newClient();
    Api other = newClient();
    List<String> ids = List.of(client.submitVoterList(), client.submitVoterList());
    String third = client.submitVoterList();
    String fourth = client.submitVoterList();
    List<SseClient> open = new ArrayList<>();
    try {
      for (String id : List.of(ids.get(0), ids.get(1), third)) {
        open.add(new SseClient(client.stream("/api/reports/" + id + "/events")));
        assertThat(open.getLast().nextEvent(WAIT).name()).isEqualTo("report");
      }

      var refused = client.stream("/api/reports/" + fourth + "/events");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/problem+json");
      refused.body().close();
      var othersStream = other.stream("/api/reports/" + other.submitVoterList() + "/events");
      assertThat(othersStream.statusCode()).as("another client's streams").isEqualTo(200);
      othersStream.body().close();

      // A final status ends its stream, which frees its place.
      client.post("/api/reports/" + third + "/cancel", "");
      assertThat(open.getLast().nextEvent(WAIT).json().get("status").asString())
          .isEqualTo("CANCELLED");
      assertThat(open.getLast().nextEvent(WAIT)).isEqualTo(SseClient.END);
      open.add(new SseClient(client.stream("/api/reports/" + fourth + "/events")));
      assertThat(open.getLast().response.statusCode()).isEqualTo(200);
    } finally {
      for (String id : List.of(ids.get(0), ids.get(1), fourth)) {
        client.post("/api/reports/" + id + "/cancel", "");
      }
      open.forEach(SseClient::close);
    }
  }

  /**
   * Revoking a key takes effect within {@code conveyor.api.auth.cache-ttl} (1 s in the test
   * context) on new requests; a stream opened before must not go on for its whole timeout.
   */
  @Test
  void aStreamEndsSoonAfterItsKeyIsRevoked() throws Exception {
    Api client = newClient();
    String id = client.submitVoterList();

    try (SseClient sse = new SseClient(client.stream("/api/reports/" + id + "/events"))) {
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("PENDING");

      jdbc.sql("UPDATE api_clients SET revoked_at = now() WHERE id = :id")
          .param("id", client.clientId())
          .update();

      assertThat(sse.nextEvent(WAIT)).isEqualTo(SseClient.END);
      await().atMost(WAIT).until(() -> client.get("/api/reports/" + id).status(), is(401));
    }
  }

  @Test
  void anotherClientsStreamIs404Problem() {
    Api a = newClient();
    Api b = newClient();
    String id = a.submitVoterList();

    var r = b.stream("/api/reports/" + id + "/events");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    r.body().close();
  }
}
