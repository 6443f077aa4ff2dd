package dev.conveyor.api.report;

import dev.conveyor.contract.SqlFiles;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The settler's queries ({@code find_unsettled.sql}, {@code try_lock_settler.sql} beside this
 * class): which unfinished reports no worker event will settle, one bounded window of the
 * unfinished-reports index at a time, and the advisory lock that lets one API replica sweep at a
 * time. Both join the caller's transaction.
 */
@Repository
class UnsettledReports {

  /** Unfinished reports examined per window: bounds a sweep's cost whatever the backlog. */
  static final int WINDOW = 1000;

  /**
   * The window's bound is written into the statement as a number, not bound as a parameter: with a
   * parameter, PostgreSQL's generic plan (used once the driver prepares the statement) would guess
   * a tenth of the index is read.
   */
  static final String FIND =
      SqlFiles.load(UnsettledReports.class, "find_unsettled.sql")
          .replace("LIMIT :window", "LIMIT " + WINDOW);

  private static final String TRY_LOCK =
      SqlFiles.load(UnsettledReports.class, "try_lock_settler.sql");

  /** 'conveyor' and 'ReportSettler' hashed to the two int4 of the advisory lock key. */
  static final int LOCK_CLASS = "conveyor".hashCode();

  static final int LOCK_OBJECT = "ReportSettler".hashCode();

  /** Before every report: a window starting here starts at the oldest unfinished report. */
  static final Key START =
      new Key(OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), new UUID(0, 0));

  private final JdbcClient jdbc;

  UnsettledReports(DataSource dataSource) {
    this.jdbc = JdbcClient.create(dataSource);
  }

  /** A position in the (created_at, id) order of the unfinished reports. */
  record Key(OffsetDateTime createdAt, UUID id) {}

  /** An examined report: its key, and whether no worker event will settle it. */
  record Examined(Key key, boolean unsettled) {}

  /**
   * Takes the sweep's advisory lock for the caller's transaction; false if another replica's sweep
   * holds it.
   */
  boolean tryLock() {
    return Boolean.TRUE.equals(
        jdbc.sql(TRY_LOCK)
            .param("classId", LOCK_CLASS)
            .param("objectId", LOCK_OBJECT)
            .query(Boolean.class)
            .single());
  }

  /**
   * The next at most {@link #WINDOW} unfinished reports after {@code after}, in order; fewer means
   * the end was reached. A discarded or cancelled job counts if it ended before {@code
   * failedBefore}, a completed one (with its file stored) before {@code completedBefore}.
   */
  List<Examined> window(Key after, Instant failedBefore, Instant completedBefore) {
    return jdbc.sql(FIND)
        .param("afterCreatedAt", after.createdAt())
        .param("afterId", after.id())
        .param("failedBefore", OffsetDateTime.ofInstant(failedBefore, ZoneOffset.UTC))
        .param("completedBefore", OffsetDateTime.ofInstant(completedBefore, ZoneOffset.UTC))
        .query(
            (rs, n) ->
                new Examined(
                    new Key(
                        rs.getObject("created_at", OffsetDateTime.class),
                        rs.getObject("id", UUID.class)),
                    rs.getBoolean("unsettled")))
        .list();
  }
}
