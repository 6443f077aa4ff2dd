package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads report rows. The worker never writes them: the API applies the worker's events. */
@Repository
class ReportRepository {

  private static final String FIND = SqlFiles.load(ReportRepository.class, "find_report.sql");

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
