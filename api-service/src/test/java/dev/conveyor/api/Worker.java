package dev.conveyor.api;

import dev.conveyor.queue.jdbc.JobRepository;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Plays the worker service against the API: claims a report's job the way the queue's claim does
 * (new attempt, new lease token), stores an artifact, and sends signed events to {@code POST
 * /internal/report-events}.
 */
public final class Worker {

  private final Api api;
  private final JdbcClient jdbc;
  private final JobRepository jobs;

  Worker(Api api, JdbcClient jdbc, DataSource dataSource) {
    this.api = api;
    this.jdbc = jdbc;
    this.jobs = new JobRepository(dataSource, null);
  }

  /** One claimed attempt of a report's job. */
  public record Attempt(String reportId, long jobId, int attempt, UUID leaseToken) {}

  public long jobId(String reportId) {
    return jdbc.sql("SELECT job_id FROM reports WHERE id = CAST(:id AS uuid)")
        .param("id", reportId)
        .query(Long.class)
        .single();
  }

  /**
   * Claims the report's job as claim_available.sql does (state running, attempt + 1, a new lease
   * token), but picking this job by id so that other tests' jobs are left alone.
   */
  public Attempt claim(String reportId) {
    long jobId = jobId(reportId);
    Map<String, Object> row =
        jdbc.sql(
                """
                UPDATE conveyor.queue_job
                SET state = 'running', attempt = attempt + 1, lease_owner = 'test-worker',
                    lease_token = gen_random_uuid(),
                    lease_expires_at = now() + interval '5 minutes', started_at = now(),
                    progress = 0
                WHERE id = :id AND state = 'available'
                RETURNING attempt, lease_token
                """)
            .param("id", jobId)
            .query()
            .singleRow();
    return new Attempt(
        reportId, jobId, ((Number) row.get("attempt")).intValue(), (UUID) row.get("lease_token"));
  }

  /**
   * The running attempt lost its lease and the job was claimed again (as the rescuer then a claim
   * would): a newer attempt with a new token.
   */
  public Attempt reclaim(Attempt previous) {
    Map<String, Object> row =
        jdbc.sql(
                """
                UPDATE conveyor.queue_job
                SET attempt = attempt + 1, lease_token = gen_random_uuid(), started_at = now()
                WHERE id = :id AND state = 'running'
                RETURNING attempt, lease_token
                """)
            .param("id", previous.jobId())
            .query()
            .singleRow();
    return new Attempt(
        previous.reportId(),
        previous.jobId(),
        ((Number) row.get("attempt")).intValue(),
        (UUID) row.get("lease_token"));
  }

  /**
   * The attempt's worker stopped before it finished: its job is handed back to the queue with the
   * queue's own release (release_many.sql), as a graceful shutdown does.
   */
  public void releaseJob(Attempt attempt) {
    jobs.releaseMany(new Long[] {attempt.jobId()}, new UUID[] {attempt.leaseToken()});
  }

  /** Completes the attempt's job in the queue (fenced on its token), as the worker does. */
  public boolean completeJob(Attempt attempt) {
    return jobs.completeMany(new Long[] {attempt.jobId()}, new UUID[] {attempt.leaseToken()})
        .contains(attempt.jobId());
  }

  /** Stores a file for the report's owner, as the worker does before report.completed. */
  public UUID storeArtifact(String reportId, String filename, String contentType, byte[] content) {
    UUID id = UUID.randomUUID();
    String sha;
    try {
      sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    jdbc.sql(
            """
            INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256)
            SELECT :id, owner_id, 'report', :filename, :contentType, :size, :sha
            FROM reports WHERE id = CAST(:reportId AS uuid)
            """)
        .param("id", id)
        .param("filename", filename)
        .param("contentType", contentType)
        .param("size", content.length)
        .param("sha", sha)
        .param("reportId", reportId)
        .update();
    int chunk = 7; // several chunks even for tiny test files, to exercise the ordering
    for (int offset = 0, seq = 0; offset < content.length; offset += chunk, seq++) {
      byte[] part =
          java.util.Arrays.copyOfRange(content, offset, Math.min(content.length, offset + chunk));
      jdbc.sql("INSERT INTO artifact_chunks (artifact_id, seq, data) VALUES (:id, :seq, :data)")
          .param("id", id)
          .param("seq", seq)
          .param("data", part)
          .update();
    }
    return id;
  }

  /**
   * Marks a stored file as the report's, as the worker's mark_artifact_stored.sql does in the
   * transaction that completes the report's job: the fact the API settles a report from.
   */
  public void markStored(UUID artifactId, String reportId) {
    jdbc.sql("UPDATE artifacts SET report_id = CAST(:reportId AS uuid) WHERE id = :id")
        .param("reportId", reportId)
        .param("id", artifactId)
        .update();
  }

  public String started(Attempt a) {
    return event("report.started", a, "");
  }

  public String progress(Attempt a, int progress) {
    return event("report.progress", a, ",\"progress\":" + progress);
  }

  public String completed(Attempt a, UUID artifactId) {
    return event("report.completed", a, ",\"artifact\":{\"id\":\"" + artifactId + "\"}");
  }

  public String failed(Attempt a, String code, String message) {
    return event(
        "report.failed",
        a,
        ",\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}");
  }

  public String cancelled(Attempt a) {
    return event("report.cancelled", a, "");
  }

  /** An event body. */
  public static String event(String type, Attempt a, String extra) {
    return "{\"type\":\""
        + type
        + "\",\"reportId\":\""
        + a.reportId()
        + "\",\"jobId\":"
        + a.jobId()
        + ",\"attempt\":"
        + a.attempt()
        + ",\"leaseToken\":\""
        + a.leaseToken()
        + "\",\"occurredAt\":\""
        + Instant.now()
        + "\""
        + extra
        + "}";
  }

  /** Sends a body signed with the current secret, now, under a fresh webhook-id. */
  public Api.Response send(String body) {
    return send(
        body, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond(), Signing.CURRENT_SECRET);
  }

  public Api.Response send(String body, String webhookId, long timestamp, String secret) {
    return sendRaw(body, webhookId, timestamp, Signing.sign(secret, webhookId, timestamp, body));
  }

  public Api.Response sendRaw(String body, String webhookId, long timestamp, String signature) {
    return api.post(
        "/internal/report-events",
        body,
        Map.of(
            "webhook-id", webhookId,
            "webhook-timestamp", Long.toString(timestamp),
            "webhook-signature", signature));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
