package dev.conveyor.api.report;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.Traces;
import dev.conveyor.api.artifact.ArtifactFiles;
import dev.conveyor.api.artifact.ArtifactInfo;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.storage.ClientStorage;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.hibernate.exception.ConstraintViolationException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts report requests: the report row and its queue job are written in one transaction (the JPA
 * transaction manager; queue-core's JDBC joins the same connection), so either both exist or
 * neither does.
 *
 * <p><b>Idempotency.</b> With an {@code Idempotency-Key}, the first request creates the report and
 * every later one with the same key and the same (normalized) request gets that report back; the
 * same key with another request is a 409. Concurrent first requests race on the unique constraint
 * {@code reports_owner_idempotency_key_key}: one commits, the others wait for it on the index,
 * fail, roll back their own job with their row, and answer with the winner's report.
 */
@Service
class ReportSubmission {

  static final String JOB_KIND = "report.generate";

  static final String IDEMPOTENCY_CONSTRAINT = "reports_owner_idempotency_key_key";
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

  private final ReportRepository reports;
  private final JobQueue queue;
  private final ArtifactFiles artifacts;
  private final ClientStorage storage;
  private final TransactionTemplate transaction;
  private final ApiProperties.Reports config;
  private final boolean allowPrivateCallbacks;

  ReportSubmission(
      ReportRepository reports,
      JobQueue queue,
      ArtifactFiles artifacts,
      ClientStorage storage,
      PlatformTransactionManager transactionManager,
      ApiProperties properties) {
    this.reports = reports;
    this.queue = queue;
    this.artifacts = artifacts;
    this.storage = storage;
    this.transaction = new TransactionTemplate(transactionManager);
    this.config = properties.reports();
    this.allowPrivateCallbacks = properties.webhooks().allowPrivateAddresses();
  }

  /**
   * The outcome of a submission.
   *
   * @param report the report (new, or the earlier one for a replayed Idempotency-Key)
   * @param jobsAhead jobs of the queue that run before this one (0 once it started), counted up to
   *     {@code conveyor.api.reports.jobs-ahead-cap}: an exact count reads one index entry per
   *     waiting job, which on every submission would make a backlog slow down the very requests
   *     that build it
   * @param replayed whether this answered a replay instead of creating a report
   */
  record Submitted(Report report, long jobsAhead, boolean replayed) {}

  Submitted submit(Caller caller, SubmitReportRequest body, @Nullable String idempotencyKey) {
    if (idempotencyKey != null && !KEY.matcher(idempotencyKey).matches()) {
      throw ApiException.badRequest("Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    SubmitReportRequest.Valid request =
        body.validate(now, config.maxDelay(), allowPrivateCallbacks);
    checkRegistrar(caller, request);
    checkUpload(caller, request);
    if (idempotencyKey != null) {
      Optional<Report> earlier =
          reports.findByOwnerIdAndIdempotencyKey(caller.clientId(), idempotencyKey);
      if (earlier.isPresent()) {
        return replay(earlier.get(), request, idempotencyKey);
      }
    }
    // After the replay check: answering an earlier report stores nothing new.
    storage.checkRoomForReport(caller.clientId());
    try {
      return transaction.execute(status -> create(caller, request, idempotencyKey, now));
    } catch (DataIntegrityViolationException e) {
      if (idempotencyKey == null || !isIdempotencyConflict(e)) {
        throw e;
      }
      Report winner =
          reports
              .findByOwnerIdAndIdempotencyKey(caller.clientId(), idempotencyKey)
              .orElseThrow(() -> e);
      return replay(winner, request, idempotencyKey);
    }
  }

  /**
   * The two writes. The job goes first, so the report row is inserted with its job id (no second
   * write); if the report insert then fails (an Idempotency-Key race), the rollback takes the job
   * with it.
   */
  private Submitted create(
      Caller caller, SubmitReportRequest.Valid request, @Nullable String key, Instant now) {
    if (request.type() == ReportType.VOTER_IMPORT
        && !storage.holdUpload(uploadId(request), caller.clientId())) {
      // Deleted by the retention sweep since checkUpload looked.
      throw uploadNotFound();
    }
    UUID id = ReportIds.next();
    // The job's place in the queue is counted by the insert's own statement (one round trip).
    JobQueue.Placed job =
        queue.enqueueCountingAhead(
            JobRequest.of(JOB_KIND, "{\"reportId\":\"" + id + "\"}")
                .withQueue(config.queue())
                .withPriority(request.priority())
                .withRunAt(request.runAt())
                .withMaxAttempts(config.maxAttempts())
                .withUniqueKey(id.toString())
                // Lets an operator cap each client's running reports (a per-key queue limit),
                // so that one client cannot starve the others.
                .withPartitionKey("client:" + caller.clientId()),
            config.jobsAheadCap());
    Report report =
        reports.saveAndFlush(
            new Report(id, caller.clientId(), request, key, job.enqueued().job().id(), now));
    Traces.report(id, job.enqueued().job().id());
    return new Submitted(report, job.jobsAhead().orElse(0), false);
  }

  private Submitted replay(Report earlier, SubmitReportRequest.Valid request, String key) {
    if (!earlier.requestFingerprint().equals(request.fingerprint())) {
      throw ApiException.conflict(
          "Idempotency-Key '"
              + key
              + "' was already used for another request (report "
              + earlier.id()
              + "); use a new key for a new request");
    }
    long ahead =
        earlier.status() == ReportStatus.PENDING
            ? queue.jobsAhead(earlier.jobId(), config.jobsAheadCap()).orElse(0)
            : 0;
    return new Submitted(earlier, ahead, true);
  }

  /**
   * voterImport writes the registry every client's reports read: a registrar's (or an admin's)
   * right, and a scoped registrar's only for its counties. A 403 here is the early answer; the
   * worker checks the key again when the import runs, so a key revoked or narrowed meanwhile cannot
   * write either.
   */
  private static void checkRegistrar(Caller caller, SubmitReportRequest.Valid request) {
    if (request.type() != ReportType.VOTER_IMPORT) {
      return;
    }
    if (!caller.mayWriteRegistry()) {
      throw new ApiException(
          HttpStatus.FORBIDDEN,
          "voterImport writes the shared voter registry: it needs a registrar key");
    }
    String county = request.parameters().get("county").asString();
    if (!caller.mayWriteCounty(county)) {
      throw new ApiException(
          HttpStatus.FORBIDDEN,
          "This key may import voters of "
              + String.join(", ", Objects.requireNonNull(caller.registryCounties()))
              + " only",
          List.of(new FieldProblem("parameters.county", "is outside this key's counties")));
    }
  }

  private void checkUpload(Caller caller, SubmitReportRequest.Valid request) {
    if (request.type() != ReportType.VOTER_IMPORT) {
      return;
    }
    Optional<ArtifactInfo> upload = artifacts.find(uploadId(request));
    if (upload.isEmpty()
        || upload.get().ownerId() != caller.clientId()
        || !upload.get().kind().equals("upload")) {
      throw uploadNotFound();
    }
  }

  private static UUID uploadId(SubmitReportRequest.Valid request) {
    return UUID.fromString(request.parameters().get("uploadId").asString());
  }

  private static ApiException uploadNotFound() {
    return ApiException.invalid(
        List.of(
            new FieldProblem(
                "parameters.uploadId", "is not one of your uploads (POST /api/uploads)")));
  }

  private static boolean isIdempotencyConflict(DataIntegrityViolationException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConstraintViolationException c
          && IDEMPOTENCY_CONSTRAINT.equals(c.getConstraintName())) {
        return true;
      }
    }
    return false;
  }
}
