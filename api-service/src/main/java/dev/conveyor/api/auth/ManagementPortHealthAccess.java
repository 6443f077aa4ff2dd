package dev.conveyor.api.auth;

import dev.conveyor.api.web.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * With a management port of its own ({@code management.server.port}, for the operators' network
 * only), health shows its components and details there to everyone, as it does to an admin key on
 * the API port ({@link HealthKeys}). The filter is registered in the management server's context
 * (listed in {@code META-INF/spring/...ManagementContextConfiguration.imports}).
 *
 * <p>It grants nothing unless the request came in on the management port and that port is not the
 * API's: component scanning also puts this configuration into the main context, where the check
 * keeps it inert.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementPortHealthAccess {

  @Bean
  OncePerRequestFilter managementPortOperators(Environment environment) {
    return new OncePerRequestFilter() {

      @Override
      protected boolean shouldNotFilter(HttpServletRequest request) {
        // Both are set once the servers listen (the actual ports, also when configured as 0).
        Integer management = environment.getProperty("local.management.port", Integer.class);
        Integer server = environment.getProperty("local.server.port", Integer.class);
        return management == null
            || management.equals(server)
            || request.getLocalPort() != management
            || !RequestPaths.of(request).startsWith("/actuator/health");
      }

      @Override
      protected void doFilterInternal(
          HttpServletRequest request, HttpServletResponse response, FilterChain chain)
          throws ServletException, IOException {
        chain.doFilter(new Operator(request), response);
      }
    };
  }

  /** A request on the management port: an operator, in every role. */
  private static final class Operator extends HttpServletRequestWrapper {

    Operator(HttpServletRequest request) {
      super(request);
    }

    @Override
    public Principal getUserPrincipal() {
      return () -> "management-port";
    }

    @Override
    public boolean isUserInRole(String role) {
      return true;
    }
  }
}
