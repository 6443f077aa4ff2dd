package dev.conveyor.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.QueueControl;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class QueueControlTests extends ApiTestBase {

  @Autowired JobQueue queue;

  private Api admin;
  private String name;

  @BeforeEach
  void adminKey() {
    admin = newClient(Role.ADMIN);
    name = "control-test-" + UUID.randomUUID();
  }

  private QueueControl control() {
    return queue.controls().stream().filter(c -> c.queue().equals(name)).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /api/admin/queue-controls",
    "POST, /api/admin/queues/q/pause",
    "POST, /api/admin/queues/q/resume",
    "PUT, /api/admin/queues/q/limits",
    "GET, /api/admin/schedules"
  })
  void clientKeysAreRefused(String method, String path) {
    assertThat(newClient().method(method, path, null).status()).isEqualTo(403);
    assertThat(anonymous.method(method, path, null).status()).isEqualTo(401);
  }

  @Test
  void pauseIsStoredForEveryWorkerAndResumeLiftsIt() {
    Api.Response paused = admin.post("/api/admin/queues/" + name + "/pause", "");

    assertThat(paused.status()).isEqualTo(200);
    assertThat(control().paused()).isTrue();
    assertThat(control().pausedUntil()).isEqualTo(Instant.MAX);

    Api.Response resumed = admin.post("/api/admin/queues/" + name + "/resume", "");
    assertThat(resumed.status()).isEqualTo(200);
    assertThat(control().paused()).isFalse();
    assertThat(admin.post("/api/admin/queues/never-paused-" + name + "/resume", "").status())
        .isEqualTo(404);
  }

  @Test
  void pauseUntilATimeAndRefusesThePast() {
    // PostgreSQL keeps microseconds.
    Instant until =
        Instant.now().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MICROS);

    Api.Response r =
        admin.post("/api/admin/queues/" + name + "/pause", "{\"until\":\"" + until + "\"}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(control().pausedUntil()).isEqualTo(until);
    Api.Response past =
        admin.post("/api/admin/queues/" + name + "/pause", "{\"until\":\"2020-01-01T00:00:00Z\"}");
    assertProblem(past, ProblemType.VALIDATION);
    assertThat(past.json().get("errors").findValuesAsString("field")).containsExactly("until");
  }

  @Test
  void limitsAreSetValidatedAndCleared() {
    Api.Response set =
        admin.method(
            "PUT",
            "/api/admin/queues/" + name + "/limits",
            "{\"maxRunning\":2,\"maxRunningPerKey\":1,\"rateLimit\":10,\"ratePeriod\":\"PT1S\"}");

    assertThat(set.status()).isEqualTo(200);
    assertThat(control().limits())
        .isEqualTo(new QueueControl.QueueLimits(2, 1, 10, java.time.Duration.ofSeconds(1)));
    JsonNode listed = set.json().get("controls");
    assertThat(listed.findValuesAsString("queue")).contains(name);

    Api.Response zero =
        admin.method("PUT", "/api/admin/queues/" + name + "/limits", "{\"maxRunning\":0}");
    assertProblem(zero, ProblemType.VALIDATION);
    assertThat(zero.json().get("errors").findValuesAsString("field")).containsExactly("maxRunning");
    Api.Response half =
        admin.method("PUT", "/api/admin/queues/" + name + "/limits", "{\"rateLimit\":5}");
    assertProblem(half, ProblemType.VALIDATION);
    assertThat(half.json().get("errors").findValuesAsString("field")).containsExactly("ratePeriod");
    Api.Response unreadable =
        admin.method(
            "PUT",
            "/api/admin/queues/" + name + "/limits",
            "{\"rateLimit\":5,\"ratePeriod\":\"soon\"}");
    assertProblem(unreadable, ProblemType.BAD_REQUEST);
    Api.Response endless =
        admin.method(
            "PUT",
            "/api/admin/queues/" + name + "/limits",
            "{\"rateLimit\":5,\"ratePeriod\":\"PT99999999999999H\"}");
    assertProblem(endless, ProblemType.VALIDATION);
    assertThat(endless.json().get("errors").findValuesAsString("field"))
        .containsExactly("ratePeriod");
    assertThat(control().limits().maxRunning()).as("refused requests change nothing").isEqualTo(2);

    assertThat(admin.method("PUT", "/api/admin/queues/" + name + "/limits", "{}").status())
        .isEqualTo(200);
    assertThat(control().limited()).isFalse();
  }

  @Test
  void schedulesShowTheirNextRun() {
    String scheduleName = "nightly-" + UUID.randomUUID();
    Instant next =
        Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    new JobRepository(dataSource, null)
        .upsertSchedule(
            Schedule.of(scheduleName, "0 0 3 * * *", JobRequest.of("cleanup", "{}")), next);

    JsonNode schedules = admin.get("/api/admin/schedules").json().get("schedules");

    JsonNode mine = null;
    for (JsonNode s : schedules) {
      if (s.get("name").asString().equals(scheduleName)) {
        mine = s;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("cron").asString()).isEqualTo("0 0 3 * * *");
    assertThat(Instant.parse(mine.get("nextRunAt").asString())).isEqualTo(next);
    assertThat(mine.get("lastOutcome").isNull()).isTrue();
  }
}
