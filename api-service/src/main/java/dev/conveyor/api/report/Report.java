package dev.conveyor.api.report;

import dev.conveyor.api.jpa.AssignedIdEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
import org.jspecify.annotations.Nullable;

/**
 * A row of {@code reports}. Its id is assigned here (time-ordered), hence {@link AssignedIdEntity}:
 * Spring Data inserts it directly instead of merging (a SELECT first).
 *
 * <p>State changes go through the methods below, which keep the row's invariants (the schema's
 * CHECKs and the forward-only trigger hold the same rules).
 */
@Entity
@Table(name = "reports")
class Report extends AssignedIdEntity {

  @Column(name = "owner_id", updatable = false)
  private long ownerId;

  @Column(updatable = false)
  private String type;

  @Column(updatable = false)
  private String format;

  /** Normalized JSON text; the column is jsonb. */
  @Column(updatable = false)
  @ColumnTransformer(write = "CAST(? AS jsonb)")
  private String parameters;

  @Enumerated(EnumType.STRING)
  private ReportStatus status;

  private int progress;
  private int attempts;

  @Column(updatable = false)
  private int priority;

  @Column(name = "run_at", updatable = false)
  private @Nullable Instant runAt;

  @Column(name = "error_code")
  private @Nullable String errorCode;

  @Column(name = "error_message")
  private @Nullable String errorMessage;

  @Column(name = "artifact_id")
  private @Nullable UUID artifactId;

  /** Set by the retention sweep (SQL only) when it deletes the file; artifactId is then null. */
  @Column(name = "artifact_expired_at", insertable = false, updatable = false)
  private @Nullable Instant artifactExpiredAt;

  @Column(name = "callback_url", updatable = false)
  private @Nullable String callbackUrl;

  @Column(name = "idempotency_key", updatable = false)
  private @Nullable String idempotencyKey;

  @Column(name = "request_fingerprint", updatable = false)
  private String requestFingerprint;

  @Column(name = "job_id", updatable = false)
  private long jobId;

  @Column(name = "lease_token")
  private @Nullable UUID leaseToken;

  @Column(name = "cancel_requested_at")
  private @Nullable Instant cancelRequestedAt;

  @Column(name = "created_at", updatable = false)
  private Instant createdAt;

  @Column(name = "started_at")
  private @Nullable Instant startedAt;

  @Column(name = "completed_at")
  private @Nullable Instant completedAt;

  protected Report() {
    this.type = "";
    this.format = "";
    this.parameters = "{}";
    this.status = ReportStatus.PENDING;
    this.requestFingerprint = "";
    this.createdAt = Instant.EPOCH;
  }

  Report(
      UUID id,
      long ownerId,
      SubmitReportRequest.Valid request,
      @Nullable String idempotencyKey,
      long jobId,
      Instant createdAt) {
    super(id);
    this.ownerId = ownerId;
    this.type = request.type().apiName();
    this.format = request.format().name();
    this.parameters = request.parameters().toString();
    this.status = ReportStatus.PENDING;
    this.priority = request.priority();
    this.runAt = request.runAt();
    this.callbackUrl = request.callbackUrl();
    this.idempotencyKey = idempotencyKey;
    this.requestFingerprint = request.fingerprint();
    this.jobId = jobId;
    this.createdAt = createdAt;
  }

  // --- transitions -------------------------------------------------------------------------

  /** A worker attempt took the report: it is processing, owned by that attempt. */
  void start(UUID token, int attempt, Instant at) {
    boolean newOwner = !token.equals(leaseToken);
    claim(token, attempt);
    if (status == ReportStatus.PENDING || startedAt == null) {
      startedAt = at;
    }
    if (newOwner) {
      progress = 0;
    }
    status = ReportStatus.PROCESSING;
  }

  void progress(UUID token, int attempt, int percent, Instant at) {
    if (!token.equals(leaseToken)) {
      start(token, attempt, at);
    } else if (status == ReportStatus.PENDING) {
      status = ReportStatus.PROCESSING;
      startedAt = at;
    }
    progress = percent;
  }

  void complete(UUID token, int attempt, UUID artifact, Instant at) {
    claim(token, attempt);
    artifactId = artifact;
    progress = 100;
    finish(ReportStatus.COMPLETED, at);
  }

  void fail(UUID token, int attempt, String code, String message, Instant at) {
    claim(token, attempt);
    errorCode = code;
    errorMessage = message;
    finish(ReportStatus.FAILED, at);
  }

  /** Cancelled by its worker (the token's attempt stopped). */
  void cancelled(UUID token, int attempt, Instant at) {
    claim(token, attempt);
    finish(ReportStatus.CANCELLED, at);
  }

  /**
   * Completed by the API from the database: its job completed (or is gone) with its file stored,
   * but its {@code report.completed} never arrived. {@code token} and {@code attempt} are the
   * completing attempt's (the report's own when the job row is gone).
   */
  void completeUnreported(@Nullable UUID token, int attempt, UUID artifact, Instant at) {
    leaseToken = token;
    attempts = attempt;
    artifactId = artifact;
    progress = 100;
    finish(ReportStatus.COMPLETED, at);
  }

  /** Failed by the API: its job ended (or is gone) and no worker will report it. */
  void failUnreported(String code, String message, Instant at) {
    errorCode = code;
    errorMessage = message;
    finish(ReportStatus.FAILED, at);
  }

  /** Cancelled by the API: no worker took it, or its job ended cancelled unreported. */
  void cancelNow(Instant at) {
    requestCancel(at);
    finish(ReportStatus.CANCELLED, at);
  }

  void requestCancel(Instant at) {
    if (cancelRequestedAt == null) {
      cancelRequestedAt = at;
    }
  }

  private void claim(UUID token, int attempt) {
    leaseToken = token;
    attempts = attempt;
  }

  private void finish(ReportStatus terminal, Instant at) {
    if (!status.allows(terminal)) {
      throw new IllegalStateException(
          "report " + getId() + " cannot go from " + status + " to " + terminal);
    }
    status = terminal;
    completedAt = at;
    if (startedAt == null && terminal != ReportStatus.CANCELLED) {
      startedAt = at;
    }
  }

  // --- reads ---------------------------------------------------------------------------------

  UUID id() {
    return getId();
  }

  long ownerId() {
    return ownerId;
  }

  String type() {
    return type;
  }

  String format() {
    return format;
  }

  String parameters() {
    return parameters;
  }

  ReportStatus status() {
    return status;
  }

  int progress() {
    return progress;
  }

  int attempts() {
    return attempts;
  }

  @Nullable String errorCode() {
    return errorCode;
  }

  @Nullable String errorMessage() {
    return errorMessage;
  }

  @Nullable UUID artifactId() {
    return artifactId;
  }

  @Nullable Instant artifactExpiredAt() {
    return artifactExpiredAt;
  }

  @Nullable String callbackUrl() {
    return callbackUrl;
  }

  String requestFingerprint() {
    return requestFingerprint;
  }

  long jobId() {
    return jobId;
  }

  @Nullable UUID leaseToken() {
    return leaseToken;
  }

  @Nullable Instant cancelRequestedAt() {
    return cancelRequestedAt;
  }

  Instant createdAt() {
    return createdAt;
  }

  @Nullable Instant startedAt() {
    return startedAt;
  }

  @Nullable Instant completedAt() {
    return completedAt;
  }
}
