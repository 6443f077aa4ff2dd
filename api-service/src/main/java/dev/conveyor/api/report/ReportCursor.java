package dev.conveyor.api.report;

import dev.conveyor.api.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a page of {@code GET /api/reports} ends: the (createdAt, id) of its last report, as an
 * opaque base64url token. Keyset pagination: stable while reports are added, and every page costs
 * the same.
 */
record ReportCursor(Instant createdAt, UUID id) {

  /** Before every report. */
  static final ReportCursor START =
      new ReportCursor(Instant.parse("9999-12-31T00:00:00Z"), new UUID(-1L, -1L));

  static ReportCursor after(Report last) {
    return new ReportCursor(last.createdAt(), last.id());
  }

  String encode() {
    String raw = createdAt + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static ReportCursor decode(String token) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      Instant createdAt = Instant.parse(raw.substring(0, bar));
      // Every cursor this API returns is a report's creation time; others (year 300000) would
      // reach PostgreSQL, which cannot hold them, and fail there as a 500.
      if (createdAt.isBefore(Instant.EPOCH) || createdAt.isAfter(START.createdAt())) {
        throw new IllegalArgumentException("cursor time out of range");
      }
      return new ReportCursor(createdAt, UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw ApiException.badRequest("cursor", "is not a cursor this API returned");
    }
  }
}
