package dev.conveyor.api.web;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;

/**
 * Every kind of problem the API answers, each with a stable {@code type} URI (RFC 9457 §3.1.1) that
 * clients may branch on: {@value #BASE} followed by the kind's name. This is the one place they are
 * set: {@link Problems} gives each problem the type of its status unless a feature names a more
 * specific one ({@link ApiException#ApiException(ProblemType, String)}), and the OpenAPI
 * description and README list these constants. The URIs are identifiers; they need not resolve.
 * Only what Tomcat refuses before the application runs with a status no kind has (431, 505) keeps
 * {@code about:blank}.
 */
public enum ProblemType {
  BAD_REQUEST(
      "bad-request",
      400,
      "Bad Request",
      "The request cannot be read: malformed JSON, a JSON value of the wrong type, an unknown"
          + " field, or a missing or malformed query parameter, header or path. `errors` names the"
          + " field when there is one."),
  UNAUTHORIZED(
      "unauthorized",
      401,
      "Unauthorized",
      "No API key, or one that is unknown or revoked (`Authorization: Bearer <key>`)."),
  INVALID_SIGNATURE(
      "invalid-signature",
      401,
      "Invalid Signature",
      "A worker callback whose Standard Webhooks signature is missing, wrong or outside the"
          + " timestamp tolerance; nothing was changed."),
  FORBIDDEN(
      "forbidden",
      403,
      "Forbidden",
      "The key's role does not allow this: an admin endpoint without an admin key, or a"
          + " voterImport without a registrar key or outside the key's counties."),
  NOT_FOUND(
      "not-found",
      404,
      "Not Found",
      "No such resource, or one that belongs to another client (never a 403)."),
  METHOD_NOT_ALLOWED(
      "method-not-allowed", 405, "Method Not Allowed", "The path does not take this method."),
  NOT_ACCEPTABLE(
      "not-acceptable", 406, "Not Acceptable", "No representation matches the `Accept` header."),
  CONFLICT(
      "conflict",
      409,
      "Conflict",
      "The resource's state does not allow this now: the Idempotency-Key was used with another"
          + " body, the report is already final, the job is not in a state to retry or cancel."),
  REPORT_NOT_READY(
      "report-not-ready",
      409,
      "Report Not Ready",
      "The report's file is asked for before the report is COMPLETED; poll or stream its status."),
  GONE(
      "gone",
      410,
      "Gone",
      "The report's file was deleted after its retention; submit the report again."),
  PAYLOAD_TOO_LARGE(
      "payload-too-large",
      413,
      "Content Too Large",
      "The request body is larger than its limit (`conveyor.api.limits.json-body` or"
          + " `.upload`)."),
  QUOTA_EXCEEDED(
      "quota-exceeded",
      413,
      "Storage Quota Exceeded",
      "The client's stored uploads and report files fill its storage quota; files are deleted"
          + " after their retention."),
  UNSUPPORTED_MEDIA_TYPE(
      "unsupported-media-type",
      415,
      "Unsupported Media Type",
      "The body's `Content-Type` is not one this path accepts."),
  VALIDATION(
      "validation",
      422,
      "Unprocessable Content",
      "The request is readable but breaks a rule; `errors: [{field, message}]` names each field."),
  RATE_LIMITED(
      "rate-limited",
      429,
      "Too Many Requests",
      "A per-client limit was hit (event streams, uploads per minute); `Retry-After` says when"
          + " to try again."),
  INTERNAL_ERROR(
      "internal-error",
      500,
      "Internal Server Error",
      "An unexpected error; `detail` carries a reference to the server's log line."),
  SERVICE_UNAVAILABLE(
      "service-unavailable",
      503,
      "Service Unavailable",
      "The API is at capacity or a dependency is down; retry after `Retry-After` seconds.");

  /** What every type URI starts with. */
  public static final String BASE = "https://conveyor.dev/problems/";

  private final URI uri;
  private final int status;
  private final String title;
  private final String description;

  ProblemType(String name, int status, String title, String description) {
    this.uri = URI.create(BASE + name);
    this.status = status;
    this.title = title;
    this.description = description;
  }

  /** The {@code type} member. */
  public URI uri() {
    return uri;
  }

  /** The HTTP status a problem of this kind has. */
  public int status() {
    return status;
  }

  /** The {@code title} member: the same for every problem of this kind. */
  public String title() {
    return title;
  }

  /** What it means, for the OpenAPI description and README. */
  public String description() {
    return description;
  }

  /**
   * The kind of a problem known only by its status: the first constant with that status (the
   * general one, such as {@link #CONFLICT} rather than {@link #REPORT_NOT_READY}); null for a
   * status no kind has.
   */
  public static @Nullable ProblemType forStatus(HttpStatusCode status) {
    for (ProblemType type : values()) {
      if (type.status == status.value()) {
        return type;
      }
    }
    return null;
  }
}
