package dev.conveyor.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Which errors mean "the database cannot be reached now" (503 with Retry-After) and which do not
 * (they stay what they were: a 409, a 422, a 500). The restart test sees the common ones for real;
 * this pins the rest of the list.
 */
class DatabaseUnavailableTests {

  @Test
  void outagesInEveryWrappingAreRecognized() {
    assertThat(DatabaseUnavailable.causes(new CannotGetJdbcConnectionException("x"))).isTrue();
    assertThat(DatabaseUnavailable.causes(new TransientDataAccessResourceException("x"))).isTrue();
    assertThat(
            DatabaseUnavailable.causes(
                new CannotCreateTransactionException(
                    "x", new SQLTransientConnectionException("pool timeout"))))
        .isTrue();
    for (String state : new String[] {"08001", "08006", "08003", "57P01", "57P02", "57P03"}) {
      assertThat(
              DatabaseUnavailable.causes(
                  new TransactionSystemException("commit failed", new SQLException("x", state))))
          .as(state)
          .isTrue();
    }
    SQLException refused = new SQLException("refused", "08001", new ConnectException("refused"));
    assertThat(DatabaseUnavailable.causes(new RuntimeException("wrapped", refused))).isTrue();
  }

  @Test
  void otherDatabaseErrorsAreNot() {
    assertThat(DatabaseUnavailable.causes(new DataIntegrityViolationException("dup"))).isFalse();
    assertThat(DatabaseUnavailable.causes(new QueryTimeoutException("57014"))).isFalse();
    for (String state : new String[] {"23505", "40001", "57014", "42P01", null}) {
      assertThat(DatabaseUnavailable.causes(new RuntimeException(new SQLException("x", state))))
          .as(String.valueOf(state))
          .isFalse();
    }
    // "Connection is closed" from anywhere but HikariCP's closed proxy is not taken for an outage.
    assertThat(DatabaseUnavailable.causes(new SQLException("Connection is closed"))).isFalse();
    assertThat(DatabaseUnavailable.causes(new IllegalStateException("x"))).isFalse();
    assertThat(DatabaseUnavailable.causes(null)).isFalse();
  }

  @Test
  void anOutageThatReachesTheErrorPageIs503WithRetryAfter() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
    request.setDispatcherType(DispatcherType.ERROR);
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
    request.setAttribute(
        RequestDispatcher.ERROR_EXCEPTION, new CannotGetJdbcConnectionException("refused"));

    var response = new ProblemErrorController().error(request);

    assertThat(response.getStatusCode().value()).isEqualTo(503);
    assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("5");
    assertThat(response.getBody().getDetail())
        .isEqualTo("The database is unavailable; retry later");
  }

  @Test
  void otherErrorsReachingTheErrorPageStay500() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
    request.setDispatcherType(DispatcherType.ERROR);
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
    request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("bug"));

    assertThat(new ProblemErrorController().error(request).getStatusCode().value()).isEqualTo(500);
  }
}
