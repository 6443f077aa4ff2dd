package dev.conveyor.api.admin;

import dev.conveyor.api.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/registry-imports}: the audit of registry imports, newest first, with cursor
 * pagination. Spring Security lets only admin keys reach it ({@code auth.SecurityConfiguration}).
 */
@RestController
@RequestMapping(path = "/api/admin/registry-imports", produces = MediaType.APPLICATION_JSON_VALUE)
class RegistryImportController {

  static final int DEFAULT_PAGE = 50;
  static final int MAX_PAGE = 500;

  private final RegistryImportRepository imports;

  RegistryImportController(RegistryImportRepository imports) {
    this.imports = imports;
  }

  /**
   * One page and the cursor of the next, if there is one. (Not named {@code Page}: OpenAPI schemas
   * are named by the simple class name, and the reports list has a {@code Page} of its own.)
   */
  record RegistryImportPage(List<RegistryImport> items, @Nullable String nextCursor) {}

  @Operation(
      summary =
          "Registry imports (voterImport runs that committed), newest first: key, report, file"
              + " SHA-256, county scope, counts")
  @GetMapping
  RegistryImportPage list(
      @RequestParam(required = false) @Nullable Integer limit,
      @Parameter(description = "nextCursor of the previous page") @RequestParam(required = false)
          @Nullable String cursor) {
    int size = limit == null ? DEFAULT_PAGE : limit;
    if (size < 1 || size > MAX_PAGE) {
      throw ApiException.badRequest("limit", "must be between 1 and " + MAX_PAGE);
    }
    RegistryImportCursor after =
        cursor == null ? RegistryImportCursor.START : RegistryImportCursor.decode(cursor);
    List<RegistryImport> rows = imports.listRegistryImports(after, size + 1);
    if (rows.size() <= size) {
      return new RegistryImportPage(rows, null);
    }
    List<RegistryImport> page = rows.subList(0, size);
    return new RegistryImportPage(
        List.copyOf(page), RegistryImportCursor.after(page.getLast()).encode());
  }
}
