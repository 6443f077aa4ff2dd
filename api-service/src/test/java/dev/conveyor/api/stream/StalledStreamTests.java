package dev.conveyor.api.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A client that opens an event stream and never reads must not slow anybody else down: its writes
 * block (its TCP window and the server's send buffer are full), the other streams' do not.
 */
class StalledStreamTests extends ApiTestBase {

  private static final int LIVE_STREAMS = 100;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Autowired ReportStreams streams;

  @Test
  void aReaderThatStopsReadingDelaysNoOtherStreamAndIsDropped() throws Exception {
    // 100 live streams: three per client (the test context's cap), one report per client.
    List<String> liveReports = new ArrayList<>();
    List<SseClient> live = new ArrayList<>();
    for (int i = 0; live.size() < LIVE_STREAMS; i++) {
      Api client = newClient();
      String id = client.submitVoterList();
      liveReports.add(id);
      for (int s = 0; s < 3 && live.size() < LIVE_STREAMS; s++) {
        live.add(new SseClient(client.stream("/api/reports/" + id + "/events")));
      }
    }
    for (SseClient sse : live) {
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("PENDING");
    }

    // The stalled reader: a raw socket with a small receive window that never reads. Its report's
    // events are large (1 MB of parameters, written past the API's validation), so that a few
    // fill every buffer on the way.
    Api stalledClient = newClient();
    String stalled = UUID.randomUUID().toString();
    jdbc.sql(
            "INSERT INTO reports (id, owner_id, type, format, parameters, request_fingerprint,"
                + " job_id) VALUES (CAST(:id AS uuid), :owner, 'voterList', 'CSV',"
                + " jsonb_build_object('county', 'Kings', 'padding', repeat('x', 1048576)),"
                + " repeat('0', 64), 0)")
        .param("id", stalled)
        .param("owner", stalledClient.clientId())
        .update();
    try (Socket raw = new Socket()) {
      raw.setReceiveBufferSize(4096);
      raw.connect(new InetSocketAddress("localhost", port));
      OutputStream out = raw.getOutputStream();
      out.write(
          ("GET /api/reports/"
                  + stalled
                  + "/events HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + stalledClient.key()
                  + "\r\n"
                  + "Accept: text/event-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      UUID stalledId = UUID.fromString(stalled);
      await().atMost(WAIT).until(() -> streams.subscriberCount(stalledId) == 1);
      // Changes until a write to it blocks (each 1 MB; a few MB fill the buffers).
      int changes = 0;
      while (changes < 100 && !streams.hasBlockedWrite()) {
        setProgress(List.of(stalled), ++changes);
        if (changes % 5 == 0) {
          await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
      }
      await().atMost(WAIT).until(streams::hasBlockedWrite);
      System.out.printf("the stalled stream's write blocked after %d changes%n", changes);

      // While it is blocked, every live stream gets each change within a second.
      for (int round = 1; round <= 3; round++) {
        long start = System.nanoTime();
        setProgress(liveReports, 10 * round);
        Duration deadline = Duration.ofSeconds(1);
        for (SseClient sse : live) {
          Duration left = deadline.minusNanos(System.nanoTime() - start);
          assertThat(left)
              .as("round %d: events so far arrived within a second", round)
              .isPositive();
          assertThat(sse.nextEvent(left).json().get("progress").asInt()).isEqualTo(10 * round);
        }
        System.out.printf(
            "round %d: %d live streams had their event after %d ms%n",
            round, live.size(), (System.nanoTime() - start) / 1_000_000);
      }

      // The stalled stream is dropped (two heartbeats, at least 5 s) and frees its client's slot.
      await().atMost(WAIT).until(() -> streams.subscriberCount(stalledId) == 0);
    }
    // The client closed with unread data (a reset): the blocked write fails and its sender ends.
    jdbc.sql(
            "UPDATE reports SET status = 'CANCELLED', completed_at = now()"
                + " WHERE id IN (SELECT CAST(unnest(CAST(:ids AS text[])) AS uuid))")
        .param("ids", liveReports.toArray(String[]::new))
        .update();
    for (SseClient sse : live) {
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("CANCELLED");
      assertThat(sse.nextEvent(WAIT)).isEqualTo(SseClient.END);
      sse.close();
    }
    await().atMost(WAIT).until(() -> streams.sendersRunning() == 0);
  }

  private void setProgress(List<String> reports, int progress) {
    jdbc.sql(
            "UPDATE reports SET progress = :progress"
                + " WHERE id IN (SELECT CAST(unnest(CAST(:ids AS text[])) AS uuid))")
        .param("progress", progress)
        .param("ids", reports.toArray(String[]::new))
        .update();
  }
}
