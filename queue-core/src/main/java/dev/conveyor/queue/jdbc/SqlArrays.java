package dev.conveyor.queue.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
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

  /** Of {@code long}s, for {@code int8[]}: sent in binary, without boxing. */
  static AbstractSqlTypeValue of(String elementType, long[] values) {
    return primitive(elementType, values);
  }

  /** Of {@code int}s, for {@code int4[]}: sent in binary, without boxing. */
  static AbstractSqlTypeValue of(String elementType, int[] values) {
    return primitive(elementType, values);
  }

  private static AbstractSqlTypeValue primitive(String elementType, Object values) {
    return new AbstractSqlTypeValue() {
      @Override
      protected Object createTypeValue(Connection con, int sqlType, String typeName)
          throws SQLException {
        return con.unwrap(PGConnection.class).createArrayOf(elementType, values);
      }
    };
  }
}
