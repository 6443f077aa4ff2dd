package dev.conveyor.api.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Recognizes an error that means "the database cannot be reached now" (refused or lost connections,
 * a server shutting down or starting up, no pooled connection within the pool's timeout), which the
 * API answers with a 503 problem and {@code Retry-After}, never a 500: the request was fine, and
 * the same request later will work. The problem's detail is fixed text; it never carries the
 * driver's message (host, port, user name).
 *
 * <p>Recognized anywhere in the cause chain, because the same failure reaches the application in
 * many wrappings: Spring's {@code CannotGetJdbcConnectionException} (a {@link
 * DataAccessResourceFailureException}) from {@code JdbcClient}, {@link
 * CannotCreateTransactionException} when a transaction cannot begin, a {@code
 * TransactionSystemException} around a failed commit, Hibernate's exceptions around the driver's
 * {@link SQLException}, or HikariCP's {@link SQLTransientConnectionException} after its connection
 * timeout.
 */
final class DatabaseUnavailable {

  /** Seconds a client should wait before it retries: about what a PostgreSQL restart takes. */
  static final String RETRY_AFTER_SECONDS = "5";

  static final String DETAIL = "The database is unavailable; retry later";

  /**
   * PostgreSQL's SQLStates for a server going away or not ready: admin shutdown (57P01), crash
   * shutdown (57P02), cannot connect now, e.g. starting up or in recovery (57P03). The whole class
   * 08 (connection exception) is matched by prefix.
   */
  private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03");

  private DatabaseUnavailable() {}

  /** Whether {@code error}, or anything it wraps, says the database cannot be reached. */
  static boolean causes(@Nullable Throwable error) {
    int depth = 0;
    for (Throwable t = error; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t instanceof DataAccessResourceFailureException
          || t instanceof TransientDataAccessResourceException
          || t instanceof CannotCreateTransactionException
          || t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql
          && (isUnavailable(sql.getSQLState()) || isEvictedConnection(sql))) {
        return true;
      }
    }
    return false;
  }

  /**
   * HikariCP's answer on a connection it has already closed because the server ended it (it evicts
   * a connection on a class 08 or 57P0x error): plain "Connection is closed", no SQLState. Seen
   * when the rollback after such an error fails and Spring throws that failure instead of the
   * original error ("Application exception overridden by rollback exception").
   */
  private static boolean isEvictedConnection(SQLException e) {
    StackTraceElement[] trace = e.getStackTrace();
    return e.getSQLState() == null
        && "Connection is closed".equals(e.getMessage())
        && trace.length > 0
        && trace[0].getClassName().startsWith("com.zaxxer.hikari.pool.ProxyConnection");
  }

  private static boolean isUnavailable(@Nullable String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || SHUTDOWN_STATES.contains(sqlState));
  }

  /**
   * For the log: the innermost cause's class and SQLState, e.g. {@code PSQLException 57P01}; the
   * stack trace would only repeat itself on every request of an outage.
   */
  static String describe(Throwable error) {
    Throwable root = error;
    String state = null;
    for (int depth = 0; root.getCause() != null && depth < 32; depth++) {
      if (root instanceof SQLException sql && sql.getSQLState() != null) {
        state = sql.getSQLState();
      }
      root = root.getCause();
    }
    if (root instanceof SQLException sql && sql.getSQLState() != null) {
      state = sql.getSQLState();
    }
    return error.getClass().getSimpleName()
        + " caused by "
        + root
        + (state == null ? "" : " (SQLState " + state + ")");
  }

  /** The 503 problem, as a controller answer. */
  static ResponseEntity<ProblemDetail> answer() {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
        // Also on an event-stream request, whose Accept would not match a problem otherwise.
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, DETAIL, List.of()));
  }
}
