package dev.conveyor.api.report;

import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /api/reports}, as the client sent it. {@link #validate} checks every
 * field and returns the normalized request, or throws a 422 problem naming each bad field.
 */
@Schema(description = "A report request")
record SubmitReportRequest(
    @Schema(
            description = "Report type",
            allowableValues = {
              "voterList",
              "absenteeReport",
              "ldCommittees",
              "designatedPetition",
              "voterImport"
            })
        @Nullable String type,
    @Schema(
            description = "Output format (per type)",
            allowableValues = {"CSV", "XLSX", "PDF"})
        @Nullable String format,
    @Schema(description = "Type-specific parameters (see README)") @Nullable JsonNode parameters,
    @Schema(description = "http(s) URL that receives a signed webhook on a final status")
        @Nullable String callbackUrl,
    @Schema(description = "-100 to 100, lower runs first; 0 by default") @Nullable Integer priority,
    @Schema(description = "Not started before this instant") @Nullable Instant runAt) {

  static final int MIN_PRIORITY = -100;
  static final int MAX_PRIORITY = 100;
  static final int MAX_URL_LENGTH = 2048;

  /**
   * A checked request.
   *
   * @param parameters normalized: known keys only, sorted, values in canonical form
   * @param fingerprint SHA-256 (hex) of the normalized request, for Idempotency-Key replays
   */
  record Valid(
      ReportType type,
      ReportFormat format,
      ObjectNode parameters,
      @Nullable String callbackUrl,
      int priority,
      @Nullable Instant runAt,
      String fingerprint) {}

  /**
   * @param allowPrivateCallbacks whether a {@code callbackUrl} may name localhost or a non-public
   *     IP address ({@code conveyor.api.webhooks.allow-private-addresses}, local development)
   */
  Valid validate(Instant now, Duration maxDelay, boolean allowPrivateCallbacks) {
    List<FieldProblem> errors = new ArrayList<>();
    Optional<ReportType> reportType = Optional.empty();
    if (type == null) {
      errors.add(new FieldProblem("type", "is required"));
    } else {
      reportType = ReportType.fromApiName(type);
      if (reportType.isEmpty()) {
        errors.add(
            new FieldProblem("type", "must be one of " + String.join(", ", ReportType.apiNames())));
      }
    }
    ReportFormat reportFormat = null;
    if (format == null) {
      errors.add(new FieldProblem("format", "is required"));
    } else {
      try {
        reportFormat = ReportFormat.valueOf(format.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        errors.add(new FieldProblem("format", "must be one of CSV, XLSX, PDF"));
      }
    }
    if (reportType.isPresent()
        && reportFormat != null
        && !reportType.get().formats().contains(reportFormat)) {
      errors.add(
          new FieldProblem(
              "format",
              reportType.get().apiName()
                  + " is available as "
                  + reportType.get().formats().stream().map(Enum::name).toList()));
    }
    ObjectNode normalized = JsonNodeFactory.instance.objectNode();
    JsonNode given = parameters == null ? JsonNodeFactory.instance.objectNode() : parameters;
    if (reportType.isPresent()) {
      normalized = reportType.get().checkParameters(given, errors);
    } else if (!given.isObject()) {
      errors.add(new FieldProblem("parameters", "must be a JSON object"));
    }
    String url =
        callbackUrl == null ? null : checkUrl(callbackUrl.strip(), allowPrivateCallbacks, errors);
    int prio = priority == null ? 0 : priority;
    if (prio < MIN_PRIORITY || prio > MAX_PRIORITY) {
      errors.add(
          new FieldProblem("priority", "must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY));
    }
    Instant at = runAt == null ? null : runAt.truncatedTo(ChronoUnit.MICROS);
    if (at != null && at.isAfter(now.plus(maxDelay))) {
      errors.add(new FieldProblem("runAt", "must be at most " + maxDelay.toDays() + " days ahead"));
    } else if (at != null && at.isBefore(Instant.EPOCH)) {
      // A time in the past runs now; one before PostgreSQL's range would fail the insert.
      errors.add(new FieldProblem("runAt", "must not be before 1970-01-01T00:00:00Z"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    ReportType t = reportType.orElseThrow();
    return new Valid(
        t,
        reportFormat,
        normalized,
        url,
        prio,
        at,
        fingerprint(t, reportFormat, normalized, url, prio, at));
  }

  private static @Nullable String checkUrl(
      String url, boolean allowPrivate, List<FieldProblem> errors) {
    if (url.length() > MAX_URL_LENGTH) {
      errors.add(new FieldProblem("callbackUrl", "must be at most 2048 characters"));
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && uri.getRawUserInfo() == null
          && uri.getRawFragment() == null) {
        if (allowPrivate || CallbackHosts.mayBePublic(uri.getHost())) {
          return url;
        }
        errors.add(
            new FieldProblem(
                "callbackUrl",
                "must point at a public address, not localhost or a private, loopback or"
                    + " link-local one"));
        return null;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    errors.add(
        new FieldProblem(
            "callbackUrl", "must be an absolute http(s) URL without credentials or fragment"));
    return null;
  }

  /** Equal for requests that mean the same, whatever their key order or defaults spelled out. */
  private static String fingerprint(
      ReportType type,
      ReportFormat format,
      ObjectNode parameters,
      @Nullable String callbackUrl,
      int priority,
      @Nullable Instant runAt) {
    String canonical =
        String.join(
            "\n",
            type.apiName(),
            format.name(),
            parameters.toString(),
            String.valueOf(callbackUrl),
            Integer.toString(priority),
            String.valueOf(runAt));
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
