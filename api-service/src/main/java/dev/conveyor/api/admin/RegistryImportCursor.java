package dev.conveyor.api.admin;

import dev.conveyor.api.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of {@code GET /api/admin/registry-imports} ends: the (importedAt, id) of its last
 * row, as an opaque base64url token, like the reports list's cursor.
 */
record RegistryImportCursor(Instant importedAt, long id) {

  /** Before every import. */
  static final RegistryImportCursor START =
      new RegistryImportCursor(Instant.parse("9999-12-31T00:00:00Z"), Long.MAX_VALUE);

  static RegistryImportCursor after(RegistryImport last) {
    return new RegistryImportCursor(last.importedAt(), last.id());
  }

  String encode() {
    String raw = importedAt + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static RegistryImportCursor decode(String token) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      Instant importedAt = Instant.parse(raw.substring(0, bar));
      // Times PostgreSQL cannot hold would fail there as a 500.
      if (importedAt.isBefore(Instant.EPOCH) || importedAt.isAfter(START.importedAt())) {
        throw new IllegalArgumentException("cursor time out of range");
      }
      return new RegistryImportCursor(importedAt, Long.parseLong(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw ApiException.badRequest("cursor", "is not a cursor this API returned");
    }
  }
}
