package dev.conveyor.api.report;

import dev.conveyor.api.artifact.ArtifactFiles;
import dev.conveyor.api.artifact.ArtifactInfo;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.ProblemType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Limit;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads reports as clients see them; the one place that builds a {@link ReportView}. */
@Service
public class Reports {

  private final ReportRepository reports;
  private final ArtifactFiles artifacts;

  Reports(ReportRepository reports, ArtifactFiles artifacts) {
    this.reports = reports;
    this.artifacts = artifacts;
  }

  /**
   * The caller's report; another client's report is "not found", never "forbidden". No transaction:
   * one select of the report (and, once it is COMPLETED, one of its immutable file record) needs
   * none, and clients poll this.
   */
  public ReportView get(Caller caller, UUID id) {
    return view(owned(caller, id));
  }

  /**
   * Any report, whoever owns it (for a stream whose owner was checked at subscription). No
   * transaction, as in {@link #get}: every open stream reads this on every change of its report.
   */
  public Optional<ReportView> find(UUID id) {
    return reports.findById(id).map(this::view);
  }

  /** One page of reports and the cursor of the next, if there is one. */
  public record Page(List<ReportView> items, @Nullable String nextCursor) {}

  @Transactional(readOnly = true)
  Page list(Caller caller, Set<ReportStatus> statuses, ReportCursor after, int size) {
    List<Report> rows =
        reports.findPage(
            caller.clientId(), statuses, after.createdAt(), after.id(), Limit.of(size + 1));
    boolean more = rows.size() > size;
    List<Report> page = more ? rows.subList(0, size) : rows;
    return new Page(
        page.stream().map(this::view).toList(),
        more ? ReportCursor.after(page.getLast()).encode() : null);
  }

  /**
   * The file of the caller's report: 404 if not theirs, 409 until it is COMPLETED, 410 once the
   * file was deleted after its retention.
   */
  @Transactional(readOnly = true)
  ArtifactInfo readyArtifact(Caller caller, UUID id) {
    Report report = owned(caller, id);
    UUID artifactId = report.artifactId();
    if (report.status() != ReportStatus.COMPLETED) {
      throw new ApiException(
          ProblemType.REPORT_NOT_READY,
          "Report " + id + " is " + report.status() + "; its file exists once it is COMPLETED");
    }
    Instant expiredAt = report.artifactExpiredAt();
    // Each statement reads its own snapshot: the sweep may delete the file between the two reads.
    Optional<ArtifactInfo> file =
        artifactId == null ? Optional.empty() : artifacts.find(artifactId);
    return file.orElseThrow(
        () ->
            new ApiException(
                HttpStatus.GONE,
                "The file of report "
                    + id
                    + " was deleted after its retention"
                    + (expiredAt == null ? "" : " at " + expiredAt)
                    + "; submit the report again for a new one"));
  }

  Report owned(Caller caller, UUID id) {
    // A primary-key find (not a derived query): Hibernate builds no query for it, which on this
    // hottest read path halves the CPU per request.
    return reports
        .findById(id)
        .filter(r -> r.ownerId() == caller.clientId())
        .orElseThrow(() -> ApiException.notFound("No report " + id));
  }

  ReportView view(Report r) {
    ReportView.ArtifactView artifact =
        r.artifactId() == null
            ? null
            : artifacts
                .find(r.artifactId())
                .map(
                    a ->
                        new ReportView.ArtifactView(
                            "/api/reports/" + r.id() + "/artifact",
                            a.filename(),
                            a.contentType(),
                            a.sizeBytes(),
                            a.sha256()))
                .orElse(null);
    ReportView.ErrorView error =
        r.errorCode() == null ? null : new ReportView.ErrorView(r.errorCode(), r.errorMessage());
    return new ReportView(
        r.id(),
        r.type(),
        r.format(),
        r.parameters(),
        r.status(),
        r.progress(),
        r.attempts(),
        r.cancelRequestedAt() != null,
        r.createdAt(),
        r.startedAt(),
        r.completedAt(),
        error,
        artifact,
        r.artifactExpiredAt(),
        r.callbackUrl());
  }
}
