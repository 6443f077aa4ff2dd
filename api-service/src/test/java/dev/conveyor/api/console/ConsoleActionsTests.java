package dev.conveyor.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.auth.Role;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.testsupport.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Each console action goes through queue-core and leaves an audit row naming who took it. Real
 * PostgreSQL, no Spring context (the actions and the repository are plain classes); every test
 * works on a queue of its own, so the shared database's other rows do not matter.
 */
class ConsoleActionsTests {

  private static final TestDatabase db = TestDatabase.get();
  private final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  private final JobQueue queue = new JobQueue(db.dataSource());
  private final ConsoleRepository repository = new ConsoleRepository(db.dataSource());
  private final ConsoleActions actions = new ConsoleActions(queue, repository);
  private final String queueName = "console-actions-" + System.nanoTime();
  private final Caller alice = new Caller(1, "alice-" + System.nanoTime(), Role.ADMIN);

  private long deadJob() {
    return jdbc.sql(
            "INSERT INTO conveyor.queue_job (queue, kind, state, attempt, max_attempts,"
                + " finalized_at, errors) VALUES (:queue, 'k', 'discarded', 1, 1, now(),"
                + " '[{\"attempt\":1,\"at\":\"2026-12-07T10:00:00Z\",\"error\":\"boom\",\"class\":\"E\"}]')"
                + " RETURNING id")
        .param("queue", queueName)
        .query(Long.class)
        .single();
  }

  private List<Map<String, Object>> audit() {
    return jdbc.sql(
            "SELECT action, target, outcome FROM console_audit WHERE actor = :actor ORDER BY id")
        .param("actor", alice.name())
        .query()
        .listOfRows();
  }

  @Test
  void retryingADeadJobMakesItAvailableAndRecordsWhoDidIt() {
    long id = deadJob();

    ConsoleActions.Result result = actions.retryJob(alice, id);

    assertThat(result.done()).isTrue();
    assertThat(queue.find(id).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
    assertThat(audit())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.get("action")).isEqualTo("job.retry");
              assertThat(a.get("target")).isEqualTo("job " + id);
            });
    assertThat(actions.retryJob(alice, id).done()).as("not dead any more").isFalse();
  }

  @Test
  void queueActionsPauseSetLimitsRetryAllDeadAndDeleteAreEachAudited() {
    for (int i = 0; i < 3; i++) {
      deadJob();
    }
    long doomed = deadJob();

    actions.pauseQueue(alice, queueName);
    assertThat(queue.controls())
        .anySatisfy(
            c -> {
              assertThat(c.queue()).isEqualTo(queueName);
              assertThat(c.paused()).isTrue();
            });
    actions.setLimits(alice, queueName, new QueueLimits(2, null, 10, Duration.ofSeconds(1)));
    assertThat(actions.deleteJob(alice, doomed).done()).isTrue();
    assertThat(actions.retryDead(alice, queueName).message()).startsWith("3 dead jobs");
    actions.resumeQueue(alice, queueName);
    actions.setLimits(alice, queueName, QueueLimits.NONE);

    assertThat(audit())
        .extracting(a -> a.get("action"))
        .containsExactly(
            "queue.pause",
            "queue.limits",
            "job.delete",
            "queue.retry-dead",
            "queue.resume",
            "queue.clear-limits");
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM conveyor.queue_job WHERE queue = :q AND state = 'available'")
                .param("q", queueName)
                .query(Long.class)
                .single())
        .isEqualTo(3);
  }
}
