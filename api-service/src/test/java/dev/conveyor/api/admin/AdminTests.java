package dev.conveyor.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class AdminTests extends ApiTestBase {

  @Autowired JobQueue queue;

  private Api admin;
  private String testQueue;

  @BeforeEach
  void adminKey() {
    admin = newClient(Role.ADMIN);
    testQueue = "admin-test-" + UUID.randomUUID();
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /api/admin/queues",
    "GET, /api/admin/jobs?state=discarded",
    "POST, /api/admin/jobs/1/retry",
    "POST, /api/admin/jobs/1/cancel"
  })
  void clientKeysAreRefused(String method, String path) {
    Api.Response r = newClient().method(method, path, null);

    assertProblem(r, ProblemType.FORBIDDEN);
    assertThat(anonymous.method(method, path, null).status()).isEqualTo(401);
  }

  /**
   * A path spelled differently from its route (path parameters, percent-encoding) reaches the same
   * controller, so it must meet the same checks; a dot segment is checked as the container resolves
   * it.
   */
  @ParameterizedTest
  @CsvSource({
    "GET, /api;x=1/admin/queues",
    "GET, /%61pi/admin/queues",
    "GET, /api/admin;x=1/queues",
    "GET, /api/%61dmin/queues",
    "GET, /api/reports/../admin/queues",
    "POST, /api/admin;x=1/jobs/1/cancel",
    "POST, /api/%61dmin/jobs/1/retry"
  })
  void pathsSpelledOtherwiseMeetTheChecksOfTheirRoute(String method, String path) {
    assertThat(newClient().method(method, path, null).status()).isEqualTo(403);
    assertThat(anonymous.method(method, path, null).status()).isEqualTo(401);
    assertThat(admin.method(method, path, null).status()).isNotIn(401, 403);
  }

  @Test
  void countsJobsPerQueueAndState() {
    queue.enqueue(JobRequest.of("test.kind", "{}").withQueue(testQueue));
    queue.enqueue(JobRequest.of("test.kind", "{}").withQueue(testQueue));

    JsonNode counts = admin.get("/api/admin/queues").json().get("counts");

    JsonNode mine = null;
    for (JsonNode c : counts) {
      if (c.get("queue").asString().equals(testQueue)) {
        mine = c;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("state").asString()).isEqualTo("AVAILABLE");
    assertThat(mine.get("jobs").asLong()).isEqualTo(2);
  }

  @Test
  void listsDeadJobsWithTheirErrorsAndRetriesThem() {
    long dead = deadJob("report generator crashed");

    JsonNode page = admin.get("/api/admin/jobs?state=discarded&queue=" + testQueue).json();

    JsonNode job = page.get("items").get(0);
    assertThat(job.get("id").asLong()).isEqualTo(dead);
    assertThat(job.get("state").asString()).isEqualTo("DISCARDED");
    assertThat(job.get("errors").get(0).get("error").asString())
        .isEqualTo("report generator crashed");
    assertThat(job.get("errors").get(0).get("attempt").asInt()).isEqualTo(1);

    Api.Response retried = admin.post("/api/admin/jobs/" + dead + "/retry", "");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.json().get("result").asString()).isEqualTo("RETRIED");
    assertThat(queue.find(dead).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);

    Api.Response again = admin.post("/api/admin/jobs/" + dead + "/retry", "");
    assertProblem(again, ProblemType.CONFLICT);
    assertThat(admin.post("/api/admin/jobs/999999999/retry", "").status()).isEqualTo(404);
  }

  @Test
  void cancelsAWaitingJobAndRefusesAFinishedOne() {
    long id = queue.enqueue(JobRequest.of("test.kind", "{}").withQueue(testQueue)).job().id();

    Api.Response r = admin.post("/api/admin/jobs/" + id + "/cancel", "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("result").asString()).isEqualTo("CANCELLED");
    assertThat(admin.post("/api/admin/jobs/" + id + "/cancel", "").status()).isEqualTo(409);
    assertThat(admin.post("/api/admin/jobs/999999999/cancel", "").status()).isEqualTo(404);
  }

  @Test
  void badStateIs400NamingIt() {
    Api.Response r = admin.get("/api/admin/jobs?state=zombie");

    assertProblem(r, ProblemType.BAD_REQUEST);
    assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("state");
  }

  @Test
  void adminKeysCanAlsoUseTheReportEndpoints() {
    assertThat(
            admin
                .submit(
                    "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}")
                .status())
        .isEqualTo(202);
  }

  /** A job that failed permanently on its first attempt, through queue-core's own writes. */
  private long deadJob(String error) {
    long id = queue.enqueue(JobRequest.of("test.kind", "{}").withQueue(testQueue)).job().id();
    JobRepository jobs = new JobRepository(dataSource, null);
    Job claimed = jobs.claimAvailable(testQueue, 1, "admin-test", Duration.ofMinutes(1)).getFirst();
    Optional<JobState> state =
        jobs.recordFailure(
            id, claimed.leaseToken(), true, Duration.ZERO, error, "IllegalStateException");
    assertThat(state).hasValue(JobState.DISCARDED);
    return id;
  }
}
