package dev.conveyor.api.admin;

import dev.conveyor.contract.SqlFiles;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads the registry import audit ({@code registry_imports}); the worker writes it. */
@Repository
class RegistryImportRepository {

  private static final String LIST =
      SqlFiles.load(RegistryImportRepository.class, "list_registry_imports.sql");

  private final JdbcClient jdbc;

  RegistryImportRepository(DataSource dataSource) {
    this.jdbc = JdbcClient.create(dataSource);
  }

  /**
   * Up to {@code limit} imports before the cursor, newest first; runs list_registry_imports.sql.
   */
  List<RegistryImport> listRegistryImports(RegistryImportCursor before, int limit) {
    return jdbc.sql(LIST)
        .param("importedAt", OffsetDateTime.ofInstant(before.importedAt(), ZoneOffset.UTC))
        .param("id", before.id())
        .param("limit", limit)
        .query((rs, row) -> map(rs))
        .list();
  }

  private static RegistryImport map(ResultSet rs) throws SQLException {
    return new RegistryImport(
        rs.getLong("id"),
        rs.getLong("client_id"),
        rs.getString("client_name"),
        rs.getObject("report_id", UUID.class),
        rs.getObject("upload_id", UUID.class),
        rs.getString("upload_sha256"),
        counties(rs.getArray("counties")),
        rs.getLong("rows_read"),
        rs.getLong("inserted"),
        rs.getLong("updated"),
        rs.getLong("unchanged"),
        rs.getLong("rejected"),
        rs.getObject("imported_at", OffsetDateTime.class).toInstant(),
        rs.getString("status"));
  }

  private static @Nullable List<String> counties(@Nullable Array array) throws SQLException {
    return array == null ? null : List.of((String[]) array.getArray());
  }
}
