package dev.conveyor.examples.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.ScheduleStatus;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import dev.conveyor.testsupport.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The example application against a real PostgreSQL (a database of its own on the test server,
 * migrated by the application as it would migrate any empty database) and a real local message
 * endpoint. One context for every test here.
 */
@SpringBootTest
class CampaignApplicationTests {

  private static final Logger log = LoggerFactory.getLogger(CampaignApplicationTests.class);

  /** The endpoint's limit, as the application is configured (its defaults). */
  private static final int RATE_LIMIT = 20;

  private static final Duration FLOOD_WAIT = Duration.ofSeconds(3);

  static final FakeMessageEndpoint endpoint = FakeMessageEndpoint.start(Duration.ofMillis(25));

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestDatabase db = TestDatabase.get();
    db.execute("DROP DATABASE IF EXISTS campaign_example WITH (FORCE)");
    db.execute("CREATE DATABASE campaign_example");
    String url = db.url().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1campaign_example");
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", db::user);
    registry.add("spring.datasource.password", db::password);
    // Three worker runtimes share the pool in this JVM.
    registry.add("spring.datasource.hikari.maximum-pool-size", () -> "30");
    registry.add("campaign.endpoint", endpoint::uri);
    // Every second, so that the cleanup test sees a run at once.
    registry.add("campaign.cleanup.cron", () -> "* * * * * *");
  }

  @AfterAll
  static void stopEndpoint() {
    endpoint.close();
  }

  @Autowired Campaigns campaigns;
  @Autowired JdbcClient jdbc;
  @Autowired JobQueue queue;
  @Autowired DataSource dataSource;
  @Autowired SendMessageHandler sendHandler;
  @Autowired PlatformTransactionManager transactionManager;

  @Nested
  class Sending {

    /**
     * 20 campaigns to the same 5 recipients: 100 messages, sent by three worker runtimes (the
     * application's and two more, 8 slots each, so that only the queue's limits hold them back). A
     * claim of 8 in enqueue order holds up to two messages per recipient: without the per-key limit
     * they would run at once. The 41st request is answered 429 FLOOD_WAIT_3.
     */
    @Test
    void everyMessageGoesOnceWithinTheRateOneAtATimePerRecipientAndNothingDuringTheFloodWait() {
      List<WorkerRuntime> others =
          IntStream.range(1, 3).mapToObj(i -> runtime("other-" + i)).toList();
      others.forEach(WorkerRuntime::start);
      List<Long> messageIds = new ArrayList<>();
      List<Long> jobMessageIds = new ArrayList<>();
      List<String> recipients = IntStream.range(0, 5).mapToObj(i -> "recipient-" + i).toList();
      try {
        // A process's first sends are slower (class loading, new connections, a cold JIT) by a
        // few hundred milliseconds, more than the rate margin covers (see the README): warm up,
        // then measure a process that has been sending for a while.
        endpoint.reset(0, FLOOD_WAIT);
        List<Long> warmUpIds =
            campaigns.start("warm-up", "Hello", recipients).messages().stream()
                .map(CampaignRepository.NewMessage::id)
                .toList();
        jobMessageIds.addAll(warmUpIds);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> endpoint.accepted() >= recipients.size());
        endpoint.reset(41, FLOOD_WAIT);
        for (int c = 0; c < 20; c++) {
          campaigns
              .start("issue " + c, "News, issue " + c, recipients)
              .messages()
              .forEach(m -> messageIds.add(m.id()));
        }
        jobMessageIds.addAll(messageIds);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> endpoint.accepted() >= messageIds.size());
      } finally {
        others.forEach(WorkerRuntime::stop);
      }
      List<FakeMessageEndpoint.Request> requests = endpoint.requests();

      // Exactly once: every message accepted once, nothing else accepted.
      Map<Long, Long> acceptedPerMessage =
          requests.stream()
              .filter(r -> r.status() == 200)
              .collect(
                  Collectors.groupingBy(
                      FakeMessageEndpoint.Request::messageId, Collectors.counting()));
      assertThat(acceptedPerMessage).hasSize(messageIds.size());
      assertThat(acceptedPerMessage.keySet()).containsExactlyInAnyOrderElementsOf(messageIds);
      assertThat(acceptedPerMessage.values()).allMatch(n -> n == 1);

      // The rate: no second holds more than the limit, counting every request that arrived.
      int busiestSecond = mostInAnyWindow(requests, Duration.ofSeconds(1));
      log.info(
          "{} requests, the busiest second held {}, {} refused during the flood wait",
          requests.size(),
          busiestSecond,
          requests.stream().filter(r -> r.status() == 429).count());
      assertThat(busiestSecond)
          .as(() -> "requests in the busiest second; ms:status:recipient " + timeline(requests))
          .isLessThanOrEqualTo(RATE_LIMIT);

      // One at a time per recipient.
      assertThat(endpoint.overlaps())
          .as("requests overlapping one for the same recipient")
          .isEmpty();

      // The flood wait: the queue paused, so the only requests during it are those whose jobs had
      // started before the pause (one rate window at most), each once; without the pause about
      // 3 s x 20/s arrive, and the refused ones come back.
      long floodStart = endpoint.floodStartNanos();
      long floodEnd = endpoint.floodEndNanos();
      assertThat(floodStart).as("the flood wait happened").isPositive();
      List<Long> duringFlood =
          requests.stream()
              .filter(r -> r.arrivedNanos() > floodStart && r.arrivedNanos() < floodEnd)
              .map(FakeMessageEndpoint.Request::messageId)
              .toList();
      assertThat(duringFlood)
          .as("requests during the flood wait")
          .hasSizeLessThanOrEqualTo(RATE_LIMIT);
      assertThat(duringFlood)
          .as("messages tried twice during the flood wait")
          .doesNotHaveDuplicates();

      // The refused jobs snoozed without spending an attempt; every campaign finished.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          jdbc.sql(
                                  "SELECT state, attempt, count(*) AS n FROM conveyor.queue_job"
                                      + " WHERE kind = :kind"
                                      + " AND CAST(payload ->> 'messageId' AS bigint) = ANY(:ids)"
                                      + " GROUP BY state, attempt")
                              .param("kind", SendMessageHandler.KIND)
                              .param("ids", jobMessageIds.toArray(Long[]::new))
                              .query(
                                  (rs, i) ->
                                      rs.getString("state")
                                          + " attempt "
                                          + rs.getInt("attempt")
                                          + ": "
                                          + rs.getLong("n"))
                              .list())
                      .containsExactly("completed attempt 1: " + jobMessageIds.size()));
      assertThat(
              jdbc.sql(
                      "SELECT count(*) FROM campaigns.campaign"
                          + " WHERE name LIKE 'issue %' AND (finished_at IS NULL OR pending <> 0)")
                  .query(Long.class)
                  .single())
          .isZero();
      assertThat(
              jdbc.sql(
                      "SELECT count(*) FROM campaigns.message m"
                          + " JOIN campaigns.campaign c ON c.id = m.campaign_id"
                          + " WHERE c.name LIKE 'issue %' AND m.status = 'sent'")
                  .query(Long.class)
                  .single())
          .isEqualTo(messageIds.size());
    }

    private WorkerRuntime runtime(String id) {
      return WorkerRuntime.builder(dataSource)
          .config(
              WorkerConfig.defaults()
                  .withWorkerId(id)
                  .withQueues(Map.of(QueueSetup.MESSAGES, 8))
                  .withPollInterval(Duration.ofMillis(250)))
          .handler(sendHandler)
          .transactionManager(transactionManager)
          .build();
    }
  }

  @Nested
  class CommandLine {

    @Autowired SendCommand command;

    @Test
    void toAndTextStartACampaignThatIsSent() {
      command.run(new DefaultApplicationArguments("--to=ann, bo,ann", "--text=Hi", "--name=cli"));

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(
                          jdbc.sql(
                                  "SELECT m.recipient || ':' || m.status FROM campaigns.message m"
                                      + " JOIN campaigns.campaign c ON c.id = m.campaign_id"
                                      + " WHERE c.name = 'cli' AND c.finished_at IS NOT NULL")
                              .query(String.class)
                              .list())
                      .containsExactlyInAnyOrder("ann:sent", "bo:sent"));
    }

    @Test
    void toWithoutTextIsRefusedNamingTheOption() {
      assertThatThrownBy(() -> command.run(new DefaultApplicationArguments("--to=ann")))
          .hasMessageContaining("--text");
    }
  }

  @Nested
  class Cleanup {

    @Test
    void deletesCampaignsFinishedBeforeTheRetentionWithTheirMessagesAndKeepsTheRest() {
      long oldFinished = campaign("old, finished", "40 days", "39 days");
      long recentFinished = campaign("recent, finished", "2 days", "1 day");
      long oldUnfinished = campaign("old, still sending", "40 days", null);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !exists("campaigns.campaign", oldFinished));

      assertThat(exists("campaigns.campaign", recentFinished)).isTrue();
      assertThat(exists("campaigns.campaign", oldUnfinished)).isTrue();
      assertThat(
              jdbc.sql("SELECT count(*) FROM campaigns.message WHERE campaign_id = :id")
                  .param("id", oldFinished)
                  .query(Long.class)
                  .single())
          .isZero();
      ScheduleStatus cleanup =
          queue.schedules().stream()
              .filter(s -> s.name().equals("campaign.cleanup"))
              .findFirst()
              .orElseThrow();
      assertThat(cleanup.kind()).isEqualTo(CleanupHandler.KIND);
      assertThat(cleanup.queue()).isEqualTo(QueueSetup.MAINTENANCE);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          queue.schedules().stream()
                              .filter(s -> s.name().equals("campaign.cleanup"))
                              .map(ScheduleStatus::lastOutcome)
                              .findFirst())
                      .contains(JobState.COMPLETED));
    }

    /** A campaign with one message, created and (if given) finished that long ago. */
    private long campaign(String name, String age, String finishedAgo) {
      long id =
          jdbc.sql(
                  "INSERT INTO campaigns.campaign (name, text, pending, created_at, finished_at)"
                      + " VALUES (:name, 'hello', :pending, now() - CAST(:age AS interval),"
                      + " now() - CAST(:finished AS interval)) RETURNING id")
              .param("name", name)
              .param("pending", finishedAgo == null ? 1 : 0)
              .param("age", age)
              .param("finished", finishedAgo)
              .query(Long.class)
              .single();
      jdbc.sql(
              "INSERT INTO campaigns.message (campaign_id, recipient, status, settled_at)"
                  + " VALUES (:id, 'someone', :status, CASE WHEN :status = 'sent' THEN now() END)")
          .param("id", id)
          .param("status", finishedAgo == null ? "pending" : "sent")
          .update();
      return id;
    }

    private boolean exists(String table, long id) {
      return jdbc.sql("SELECT count(*) FROM " + table + " WHERE id = :id")
              .param("id", id)
              .query(Long.class)
              .single()
          == 1;
    }
  }

  /** Each request as milliseconds since the first, status and recipient, for failure messages. */
  static String timeline(List<FakeMessageEndpoint.Request> requests) {
    long first = requests.getFirst().arrivedNanos();
    return requests.stream()
        .map(r -> (r.arrivedNanos() - first) / 1_000_000 + ":" + r.status() + ":" + r.recipient())
        .collect(Collectors.joining(" "));
  }

  /** The most requests that arrived within any window of this length. */
  static int mostInAnyWindow(List<FakeMessageEndpoint.Request> requests, Duration window) {
    long[] arrivals =
        requests.stream().mapToLong(FakeMessageEndpoint.Request::arrivedNanos).sorted().toArray();
    int most = 0;
    int first = 0;
    for (int last = 0; last < arrivals.length; last++) {
      while (arrivals[last] - arrivals[first] >= window.toNanos()) {
        first++;
      }
      most = Math.max(most, last - first + 1);
    }
    return most;
  }
}
