package dev.conveyor.api.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.ConveyorApiApplication;
import dev.conveyor.api.Signing;
import dev.conveyor.api.Worker;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two API replicas on one database: a client streams from replica B while the worker's callbacks go
 * to replica A (the test context). B learns of the changes only through PostgreSQL LISTEN/NOTIFY.
 */
class TwoReplicaStreamTests extends ApiTestBase {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static ConfigurableApplicationContext replicaB;

  @BeforeAll
  static void startSecondReplica() {
    replicaB =
        new SpringApplicationBuilder(ConveyorApiApplication.class)
            // Command-line arguments: they win over application.yml, as in a deployment.
            .run(
                "--server.port=0",
                "--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--spring.datasource.hikari.maximum-pool-size=5",
                "--conveyor.api.callbacks.secrets=" + Signing.CURRENT_SECRET,
                "--conveyor.api.events.heartbeat=1s",
                "--spring.main.banner-mode=off");
  }

  @AfterAll
  static void stopSecondReplica() {
    replicaB.close();
  }

  @Test
  void streamOnOneReplicaFollowsCallbacksAppliedByTheOther() throws Exception {
    Api onA = newClient();
    int portB = ((WebServerApplicationContext) replicaB).getWebServer().getPort();
    Api onB = new Api(portB, onA.key());
    String id = onA.submitVoterList();
    Worker worker = worker(); // sends its callbacks to replica A

    try (SseClient sse = new SseClient(onB.stream("/api/reports/" + id + "/events"))) {
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("PENDING");

      Worker.Attempt a = worker.claim(id);
      worker.send(worker.started(a));
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("PROCESSING");
      worker.send(worker.progress(a, 75));
      assertThat(sse.nextEvent(WAIT).json().get("progress").asInt()).isEqualTo(75);
      UUID file = worker.storeArtifact(id, "r.csv", "text/csv", new byte[] {'x'});
      worker.send(worker.completed(a, file));
      assertThat(sse.nextEvent(WAIT).json().get("status").asString()).isEqualTo("COMPLETED");
      assertThat(sse.nextEvent(WAIT)).isEqualTo(SseClient.END);
    }
  }
}
