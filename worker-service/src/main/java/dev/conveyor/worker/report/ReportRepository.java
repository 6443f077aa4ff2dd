package dev.conveyor.worker.report;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads report rows. The worker never writes them: the API applies the worker's events. */
@Repository
class ReportRepository {

  // One row by primary key; no lock (the status is re-checked by the API when events arrive).
  private static final String FIND =
      """
      SELECT id, owner_id, type, format, parameters::text AS parameters, status
      FROM reports WHERE id = :id
      """;

  private final JdbcClient jdbc;

  ReportRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<Report> find(UUID id) {
    return jdbc.sql(FIND)
        .param("id", id)
        .query(
            (rs, n) ->
                new Report(
                    rs.getObject("id", UUID.class),
                    rs.getLong("owner_id"),
                    rs.getString("type"),
                    rs.getString("format"),
                    rs.getString("parameters"),
                    rs.getString("status")))
        .optional();
  }
}
