package dev.conveyor.api.report;

import dev.conveyor.api.artifact.ArtifactFiles;
import dev.conveyor.api.artifact.ArtifactInfo;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.ServletWebRequest;

/** The client's report endpoints. */
@RestController
@RequestMapping(path = "/api/reports", produces = MediaType.APPLICATION_JSON_VALUE)
class ReportController {

  static final int DEFAULT_PAGE = 20;
  static final int MAX_PAGE = 100;

  private final ReportSubmission submission;
  private final Reports reports;
  private final ReportLifecycle lifecycle;
  private final ArtifactFiles artifacts;

  ReportController(
      ReportSubmission submission,
      Reports reports,
      ReportLifecycle lifecycle,
      ArtifactFiles artifacts) {
    this.submission = submission;
    this.reports = reports;
    this.lifecycle = lifecycle;
    this.artifacts = artifacts;
  }

  /** The answer to a submission. */
  record Accepted(
      UUID reportId,
      ReportStatus status,
      @Schema(
              description =
                  "Waiting jobs of the report queue that run before this one (0 once it started),"
                      + " counted up to conveyor.api.reports.jobs-ahead-cap, 100 by default: that"
                      + " number means 'this many or more'")
          long jobsAhead) {}

  @Operation(summary = "Request a report")
  @ApiResponse(
      responseCode = "202",
      description = "Accepted (or the earlier report of this Idempotency-Key)")
  @ApiResponse(
      responseCode = "413",
      description =
          "The client's files (uploads and report files) fill its storage quota"
              + " (conveyor.api.storage.quota); nothing was enqueued")
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Accepted> submit(
      @Parameter(hidden = true) Caller caller,
      @RequestBody SubmitReportRequest body,
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
    ReportSubmission.Submitted submitted = submission.submit(caller, body, idempotencyKey);
    Report report = submitted.report();
    ResponseEntity.BodyBuilder response =
        ResponseEntity.accepted().location(URI.create("/api/reports/" + report.id()));
    if (submitted.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(new Accepted(report.id(), report.status(), submitted.jobsAhead()));
  }

  @Operation(summary = "A report's status")
  @GetMapping("/{id}")
  ReportView get(@Parameter(hidden = true) Caller caller, @PathVariable UUID id) {
    return reports.get(caller, id);
  }

  @Operation(summary = "The caller's reports, newest first")
  @GetMapping
  Reports.Page list(
      @Parameter(hidden = true) Caller caller,
      @Parameter(description = "Only these statuses (repeat or comma-separate)")
          @RequestParam(required = false)
          @Nullable List<String> status,
      @RequestParam(required = false) @Nullable Integer limit,
      @Parameter(description = "nextCursor of the previous page") @RequestParam(required = false)
          @Nullable String cursor) {
    int size = limit == null ? DEFAULT_PAGE : limit;
    if (size < 1 || size > MAX_PAGE) {
      throw ApiException.badRequest("limit", "must be between 1 and " + MAX_PAGE);
    }
    ReportCursor after = cursor == null ? ReportCursor.START : ReportCursor.decode(cursor);
    return reports.list(caller, statuses(status), after, size);
  }

  /**
   * Written here, on the request's thread, rather than as an asynchronous {@code
   * StreamingResponseBody}: an asynchronous response ends at the async request timeout (30 s by
   * default), which would cut a large file on a slow link.
   */
  @Operation(summary = "Download a completed report's file; 409 while it is not ready")
  @ApiResponse(responseCode = "200", description = "The file")
  @ApiResponse(responseCode = "409", description = "The report is not COMPLETED")
  @ApiResponse(
      responseCode = "410",
      description =
          "The file was deleted after its retention (conveyor.api.retention.artifacts); the"
              + " report's artifactExpiredAt says when")
  @GetMapping(path = "/{id}/artifact", produces = MediaType.ALL_VALUE)
  void artifact(
      @Parameter(hidden = true) Caller caller,
      @PathVariable UUID id,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    ArtifactInfo file = reports.readyArtifact(caller, id);
    if (new ServletWebRequest(request, response).checkNotModified("\"" + file.sha256() + "\"")) {
      return;
    }
    response.setContentType(file.contentType());
    response.setContentLengthLong(file.sizeBytes());
    response.setHeader(
        HttpHeaders.CONTENT_DISPOSITION,
        ContentDisposition.attachment().filename(file.filename()).build().toString());
    artifacts.copyTo(file.id(), response.getOutputStream());
  }

  @Operation(summary = "Cancel a report: now if no worker started it, else ask its worker to stop")
  @ApiResponse(responseCode = "200", description = "Cancelled")
  @ApiResponse(responseCode = "202", description = "Cancellation requested from the running worker")
  @PostMapping("/{id}/cancel")
  ResponseEntity<ReportView> cancel(
      @Parameter(hidden = true) Caller caller, @PathVariable UUID id) {
    ReportLifecycle.Cancellation result = lifecycle.cancel(caller, id);
    return ResponseEntity.status(result.cancelled() ? HttpStatus.OK : HttpStatus.ACCEPTED)
        .body(result.report());
  }

  private static Set<ReportStatus> statuses(@Nullable List<String> given) {
    if (given == null || given.isEmpty()) {
      return EnumSet.allOf(ReportStatus.class);
    }
    Set<ReportStatus> statuses = EnumSet.noneOf(ReportStatus.class);
    for (String s : given) {
      for (String part : s.split(",")) {
        try {
          statuses.add(ReportStatus.valueOf(part.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest(
              "status", "must be one of " + Arrays.toString(ReportStatus.values()));
        }
      }
    }
    return statuses;
  }
}
