package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.queue.jdbc.JobRepository;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batched writes of running jobs (complete_many, extend_leases, release_many) look each id up
 * by key whatever the statistics say. The state they were written for: PostgreSQL last analyzed the
 * table when no job was running (a quiet queue, or right after a bulk enqueue), so it expects one
 * running row; then a worker hands in 2,000 ids at once. The earlier {@code UPDATE ... FROM
 * unnest(...)} form was planned as a scan of the whole table joined to the array in a nested loop,
 * O(ids x running): 190 ms for 1,000 ids where the key look-ups take 9 ms, enough to let leases run
 * out under load. The plans are taken with the ids as literals, as PostgreSQL plans a statement's
 * first executions (custom plans).
 */
class BatchedWritePlanTests extends QueueTestBase {

  private static final int CLAIMED = 2_000;

  private final JobRepository repository = new JobRepository(dataSource, null);
  private List<Job> claimed;

  @BeforeEach
  void claimRightAfterAnAnalyzeThatSawNoRunningJob() {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      requests.add(JobRequest.of("plan", "{}"));
    }
    queue.enqueueAll(requests);
    // A queue with retention: most rows finished, the rest waiting, none running.
    db.execute(
        "UPDATE conveyor.queue_job SET state = 'completed', finalized_at = now() WHERE id % 4 = 0");
    db.execute("VACUUM ANALYZE conveyor.queue_job");
    claimed =
        new ArrayList<>(
            repository.claimAvailable("default", CLAIMED, "plan-worker", Duration.ofMinutes(5)));
    claimed.sort(Comparator.comparingLong(Job::id));
    assertThat(claimed).hasSize(CLAIMED);
  }

  @Test
  void claimingUpdatesThePickedRowsByKey() throws IOException {
    // A custom plan for a demand of 1,000 joined the picked rows to a hash of the whole table.
    assertThat(
            explain(
                resource("/dev/conveyor/queue/jdbc/claim_available.sql")
                    .replace(":queue", "'default'")
                    .replace(":demand", "1000")
                    .replace(":owner", "'plan-worker'")
                    .replace(":lease_ms", "60000")
                    .replace(":now", "NULL")))
        .contains("queue_job_claim_idx")
        .containsPattern(
            "Index Scan using queue_job_pkey on queue_job j[^\\n]*\\n\\s*Index Cond: \\(id = ANY")
        .doesNotContain("Seq Scan on queue_job")
        .doesNotContain("Hash Join");
  }

  @Test
  void completingLooksEachIdUpByKey() throws IOException {
    assertLooksUpEachIdByKey(plan("complete_many.sql"));

    assertThat(repository.completeMany(ids(), tokens())).hasSize(CLAIMED);
    assertThat(count("state = 'completed'")).isEqualTo(5_000 + CLAIMED);
  }

  @Test
  void extendingLeasesLooksEachIdUpByKey() throws IOException {
    assertLooksUpEachIdByKey(plan("extend_leases.sql"));

    assertThat(repository.extendLeases(ids(), tokens(), Duration.ofMinutes(10))).hasSize(CLAIMED);
  }

  @Test
  void releasingLooksEachIdUpByKey() throws IOException {
    assertLooksUpEachIdByKey(plan("release_many.sql"));

    assertThat(repository.releaseMany(ids(), tokens())).hasSize(CLAIMED);
    assertThat(count("state = 'running'")).isZero();
  }

  @Test
  void jobsClaimedTogetherShareTheirTokenAndEachStillCompletesOnlyItself() {
    // One claim draws one token for all of its rows: (id, token) names the attempt.
    assertThat(claimed.stream().map(Job::leaseToken).distinct()).hasSize(1);
    Job first = claimed.get(0);

    assertThat(repository.completeMany(new Long[] {first.id()}, new UUID[] {UUID.randomUUID()}))
        .isEmpty();
    assertThat(repository.completeMany(new Long[] {first.id()}, new UUID[] {first.leaseToken()}))
        .containsExactly(first.id());
    assertThat(count("state = 'running'")).isEqualTo(CLAIMED - 1);
    // Completed once: the same (id, token) again changes nothing.
    assertThat(repository.completeMany(new Long[] {first.id()}, new UUID[] {first.leaseToken()}))
        .isEmpty();
    assertThat(count("state = 'completed'")).isEqualTo(5_000 + 1);
  }

  @Test
  void aCompletionMatchesEachIdWithItsOwnTokenNotAnyTokenOfTheBatch() {
    // A second claim: its jobs share a second token. A batch holding both tokens must still
    // complete an id only under the token its own attempt was claimed with.
    List<Job> second =
        repository.claimAvailable("default", 2, "plan-worker", Duration.ofMinutes(5));
    assertThat(second).hasSize(2);
    UUID firstToken = claimed.get(0).leaseToken();
    UUID secondToken = second.get(0).leaseToken();
    assertThat(secondToken).isNotEqualTo(firstToken);
    Job a = claimed.get(0);
    Job b = claimed.get(1);
    Job c = second.get(0);

    // Not in id order (a completion binds its batch as the jobs finished), a with the other
    // claim's token, b and c with their own.
    Long[] ids = {c.id(), a.id(), b.id()};
    UUID[] tokens = {secondToken, secondToken, firstToken};

    assertThat(repository.completeMany(ids, tokens)).containsExactlyInAnyOrder(b.id(), c.id());
    assertThat(
            jdbc.sql("SELECT state FROM conveyor.queue_job WHERE id = ?")
                .param(a.id())
                .query(String.class)
                .single())
        .isEqualTo("running");
  }

  /**
   * Per array element one index look-up by id; never a scan of the table, never a hash of it (the
   * old form's plans here: a scan of queue_job_running_idx or of the table, hashed or joined to the
   * array in a nested loop).
   */
  private static void assertLooksUpEachIdByKey(String plan) {
    assertThat(plan)
        .containsPattern(
            "Nested Loop[\\s\\S]*Function Scan[\\s\\S]*Index Cond: \\(id = \\w\\.id\\)")
        .doesNotContain("Seq Scan on queue_job")
        .doesNotContain("Hash Join");
  }

  private String plan(String statement) throws IOException {
    // Bound as JobRepository binds them: the distinct tokens, and per id its token's position.
    List<UUID> tokens = claimed.stream().map(Job::leaseToken).distinct().toList();
    String sql =
        resource("/dev/conveyor/queue/jdbc/" + statement)
            .replace(":ids", literal(claimed.stream().map(j -> Long.toString(j.id()))))
            .replace(
                ":token_at",
                literal(
                    claimed.stream()
                        .map(j -> Integer.toString(tokens.indexOf(j.leaseToken()) + 1))))
            .replace(":tokens", literal(tokens.stream().map(UUID::toString)))
            .replace(":lease_ms", "60000")
            .replace(":now", "NULL");
    return explain(sql);
  }

  private String explain(String sql) {
    return String.join("\n", jdbc.sql("EXPLAIN " + sql).query(String.class).list());
  }

  private static String literal(java.util.stream.Stream<String> values) {
    return values.collect(Collectors.joining(",", "'{", "}'"));
  }

  private Long[] ids() {
    return claimed.stream().map(Job::id).toArray(Long[]::new);
  }

  private UUID[] tokens() {
    return claimed.stream().map(Job::leaseToken).toArray(UUID[]::new);
  }
}
