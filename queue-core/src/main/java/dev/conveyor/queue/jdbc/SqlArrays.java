package dev.conveyor.queue.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;

/**
 * PostgreSQL arrays as statement parameters, so one statement (with {@code unnest}) carries a whole
 * batch. The array is created on the statement's own connection.
 */
final class SqlArrays {

  private SqlArrays() {}

  static AbstractSqlTypeValue of(String elementType, Object[] values) {
    return new AbstractSqlTypeValue() {
      @Override
      protected Object createTypeValue(Connection con, int sqlType, String typeName)
          throws SQLException {
        return con.createArrayOf(elementType, values);
      }
    };
  }
}
