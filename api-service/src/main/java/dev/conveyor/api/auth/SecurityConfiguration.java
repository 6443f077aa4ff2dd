package dev.conveyor.api.auth;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.web.RequestPaths;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.firewall.DefaultHttpFirewall;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Security guards every door, in three filter chains chosen by the request's decoded,
 * normalized path ({@link RequestPaths}, never the raw URI, which a client can spell otherwise):
 *
 * <ol>
 *   <li>{@code /api/**}: bearer API keys ({@link BearerKeys}), stateless (no session, no cookie, no
 *       CSRF: a browser sends no bearer key by itself, so there is nothing to forge); {@code
 *       /api/admin/**} needs an admin key. The answers are the API's as before: 401 problem with
 *       {@code WWW-Authenticate: Bearer}, 403 problem, 503 when the key cannot be checked because
 *       the database is down.
 *   <li>{@code /console/**}: the operations console, for people in a browser: form sign-in with an
 *       admin key ({@link ConsoleSignIn}), a session cookie (HttpOnly, SameSite=Strict, Secure on
 *       HTTPS, path {@code /console}; set in application.yml), CSRF tokens on every state-changing
 *       request, sign-out, the session id changed at sign-in, a session timeout ({@code
 *       conveyor.api.console.session-timeout}), and the session ended once its key is revoked
 *       ({@link RevokedKeys}). A bearer key opens nothing here.
 *   <li>everything else, open as before: {@code /internal/**} (the worker's callbacks carry their
 *       own signatures), actuator, OpenAPI and Swagger UI, the error page. On {@code
 *       /actuator/health*} a valid bearer key makes its role the request's, so that admins see the
 *       health details; an unknown key, or one that cannot be checked, is simply anonymous.
 * </ol>
 *
 * <p>Controllers take the {@link Caller} as a parameter ({@link CallerArgumentResolver}): the
 * principal of the request's authentication, from a bearer key or a console session alike.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  static final RequestMatcher API = request -> RequestPaths.of(request).startsWith("/api/");
  static final RequestMatcher ADMIN_API =
      request -> RequestPaths.of(request).startsWith("/api/admin/");
  static final RequestMatcher CONSOLE =
      request -> {
        String path = RequestPaths.of(request);
        return path.equals("/console") || path.startsWith("/console/");
      };
  static final RequestMatcher SIGN_IN =
      request -> RequestPaths.of(request).equals(ConsoleSignIn.PAGE);
  static final RequestMatcher HEALTH =
      request -> RequestPaths.of(request).startsWith("/actuator/health");

  /**
   * An async dispatch (an SSE stream, a streamed answer) or an error dispatch continues a request
   * that was authorized when it came in.
   */
  private static final RequestMatcher LATER_DISPATCH =
      request ->
          request.getDispatcherType() == DispatcherType.ASYNC
              || request.getDispatcherType() == DispatcherType.ERROR;

  /**
   * Every rule above decides on the container's canonical path, so the strict firewall's refusal of
   * other spellings ({@code /api;x=1/…}, {@code /api/reports/../…}, answered 400) would only change
   * what clients get today without making a decision safer. The default firewall still refuses a
   * servlet path that is not normalized.
   */
  @Bean
  WebSecurityCustomizer firewall() {
    return web -> web.httpFirewall(new DefaultHttpFirewall());
  }

  @Bean
  @Order(1)
  SecurityFilterChain api(HttpSecurity http, ApiKeyAuthenticationProvider keys, JsonMapper json)
      throws Exception {
    AuthenticationFilter bearer = BearerKeys.filter(new ProviderManager(keys), json);
    return stateless(http)
        .securityMatcher(API)
        .addFilterBefore(bearer, AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(LATER_DISPATCH)
                    .permitAll()
                    .requestMatchers(ADMIN_API)
                    .hasRole(Role.ADMIN.name())
                    .anyRequest()
                    .authenticated())
        .exceptionHandling(
            errors ->
                errors
                    .authenticationEntryPoint(BearerKeys.entryPoint(json))
                    .accessDeniedHandler(BearerKeys.accessDenied(json)))
        .build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain console(HttpSecurity http, ApiKeyAuthenticationProvider keys, ApiKeys apiKeys)
      throws Exception {
    AuthenticationManager signIn = ConsoleSignIn.manager(keys);
    return http.securityMatcher(CONSOLE)
        .authenticationManager(signIn)
        .addFilterBefore(new RevokedKeys(apiKeys), AuthorizationFilter.class)
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(LATER_DISPATCH)
                    .permitAll()
                    .requestMatchers(SIGN_IN)
                    .permitAll()
                    .anyRequest()
                    .hasRole(Role.ADMIN.name()))
        .formLogin(
            form ->
                form.loginPage(ConsoleSignIn.PAGE)
                    .loginProcessingUrl(ConsoleSignIn.PAGE)
                    .passwordParameter(ConsoleSignIn.FIELD)
                    .successHandler(ConsoleSignIn.success())
                    .failureHandler(ConsoleSignIn.failure()))
        .logout(
            logout ->
                logout
                    .logoutUrl("/console/sign-out")
                    .logoutSuccessUrl(ConsoleSignIn.PAGE + "?signed-out")
                    .addLogoutHandler(
                        (request, response, authentication) -> {
                          if (authentication != null) {
                            log.info("Console sign-out: {}", authentication.getName());
                          }
                        }))
        // Spring Security's defaults, named here because the console relies on them: CSRF tokens
        // (in the session; Thymeleaf's th:action forms carry them), the session id changed at
        // sign-in, and the browser security headers (no caching, no framing, no sniffing, HSTS on
        // HTTPS).
        .csrf(csrf -> {})
        .sessionManagement(
            session ->
                session
                    .sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED)
                    .sessionFixation(fixation -> fixation.changeSessionId())
                    .enableSessionUrlRewriting(false))
        .build();
  }

  @Bean
  @Order(3)
  SecurityFilterChain everythingElse(HttpSecurity http, ApiKeyAuthenticationProvider keys)
      throws Exception {
    return stateless(http)
        .securityMatcher(request -> true)
        .addFilterBefore(new HealthKeys(keys), AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .build();
  }

  /**
   * The console session's idle timeout, set on every session when it is created (only the console
   * creates sessions; the id changes at sign-in, the session and its timeout stay).
   */
  @Bean
  HttpSessionListener consoleSessionTimeout(ApiProperties properties) {
    int seconds = Math.toIntExact(properties.console().sessionTimeout().toSeconds());
    return new HttpSessionListener() {
      @Override
      public void sessionCreated(HttpSessionEvent event) {
        event.getSession().setMaxInactiveInterval(seconds);
      }
    };
  }

  /** A chain for machines: no session, no CSRF, no request cache, no browser headers. */
  private static HttpSecurity stateless(HttpSecurity http) throws Exception {
    return http.sessionManagement(
            session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .requestCache(cache -> cache.disable())
        .headers(headers -> headers.disable())
        .formLogin(form -> form.disable())
        .httpBasic(basic -> basic.disable())
        .logout(logout -> logout.disable());
  }
}
