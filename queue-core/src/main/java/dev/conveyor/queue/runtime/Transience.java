package dev.conveyor.queue.runtime;

import java.sql.SQLException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/** Tells a database outage (worth retrying) from a bug (not worth it). */
public final class Transience {

  private Transience() {}

  /**
   * True for lost or refused connections, a server shutting down, serialization failures and
   * deadlocks: the same write can succeed once the database is back.
   */
  public static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TransientDataAccessException
          || t instanceof RecoverableDataAccessException
          || t instanceof DataAccessResourceFailureException
          || t instanceof CannotCreateTransactionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // 08: connection exception; 57P: operator intervention (shutdown, terminated backend);
        // 40: serialization failure or deadlock; 53: insufficient resources (too many clients).
        if (state.startsWith("08")
            || state.startsWith("57P")
            || state.startsWith("40")
            || state.startsWith("53")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
