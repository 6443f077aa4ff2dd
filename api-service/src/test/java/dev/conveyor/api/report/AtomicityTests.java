package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The report row (JPA) and its queue job (queue-core JDBC) commit or roll back together. Failures
 * are made real in the database with triggers that fire only for a marker priority, so nothing in
 * the service is stubbed.
 */
class AtomicityTests extends ApiTestBase {

  @Autowired ReportSubmission submission;
  @Autowired PlatformTransactionManager transactionManager;

  private long jobsBefore;

  @BeforeEach
  void rememberLastJob() {
    jobsBefore =
        jdbc.sql("SELECT coalesce(max(id), 0) FROM conveyor.queue_job").query(Long.class).single();
  }

  @AfterEach
  void dropTriggers() {
    db.execute("DROP TRIGGER IF EXISTS test_fail_report_insert ON reports");
    db.execute("DROP TRIGGER IF EXISTS test_fail_job_at_commit ON conveyor.queue_job");
    db.execute("DROP FUNCTION IF EXISTS test_fail()");
  }

  @Test
  void reportInsertFailingAfterTheEnqueueLeavesNeitherRow() {
    createFailFunction();
    db.execute(
        """
        CREATE TRIGGER test_fail_report_insert BEFORE INSERT ON reports
        FOR EACH ROW WHEN (NEW.priority = 66) EXECUTE FUNCTION test_fail()
        """);
    Api client = newClient();

    Api.Response r = client.submit(body(66));

    assertProblem(r, ProblemType.INTERNAL_ERROR);
    assertThat(r.body()).doesNotContain("test_fail", "Exception", "at dev.");
    assertNeitherRow(client);
  }

  @Test
  void queueFailingAtCommitAfterTheReportInsertLeavesNeitherRow() {
    createFailFunction();
    // Deferred: fires at COMMIT, after both the job and the report row were written.
    db.execute(
        """
        CREATE CONSTRAINT TRIGGER test_fail_job_at_commit AFTER INSERT ON conveyor.queue_job
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.priority = 77) EXECUTE FUNCTION test_fail()
        """);
    Api client = newClient();

    Api.Response r = client.submit(body(77));

    assertProblem(r, ProblemType.INTERNAL_ERROR);
    assertNeitherRow(client);
  }

  @Test
  void rollbackOfTheSurroundingTransactionDiscardsBothRows() {
    Api client = newClient();
    Caller caller = new Caller(client.clientId(), "t", Role.CLIENT);
    TransactionTemplate tx = new TransactionTemplate(transactionManager);

    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      ReportSubmission.Submitted s = submission.submit(caller, request(), null);
                      assertThat(s.report().jobId()).isPositive();
                      throw new IllegalStateException("fail between the writes and the commit");
                    }))
        .hasMessageContaining("fail between");

    assertNeitherRow(client);
  }

  @Test
  void bothRowsCommitTogether() {
    Api client = newClient();

    String id = client.submitVoterList();

    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM conveyor.queue_job j JOIN reports r ON r.job_id = j.id"
                        + " WHERE r.id = CAST(:id AS uuid) AND j.unique_key = :id")
                .param("id", id)
                .query(Long.class)
                .single())
        .isEqualTo(1);
  }

  private void assertNeitherRow(Api client) {
    assertThat(
            jdbc.sql("SELECT count(*) FROM reports WHERE owner_id = :owner")
                .param("owner", client.clientId())
                .query(Long.class)
                .single())
        .isZero();
    assertThat(
            jdbc.sql("SELECT count(*) FROM conveyor.queue_job WHERE id > :before")
                .param("before", jobsBefore)
                .query(Long.class)
                .single())
        .isZero();
  }

  private static void createFailFunction() {
    db.execute(
        """
        CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test_fail: injected failure'; END $$
        """);
  }

  private static String body(int priority) {
    return "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"},"
        + "\"priority\":"
        + priority
        + "}";
  }

  private static SubmitReportRequest request() {
    return new SubmitReportRequest(
        "voterList",
        "CSV",
        JsonNodeFactory.instance.objectNode().put("county", "Kings"),
        null,
        null,
        null);
  }
}
