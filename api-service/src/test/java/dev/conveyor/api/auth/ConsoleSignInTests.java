package dev.conveyor.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.web.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.catalina.Context;
import org.apache.catalina.Session;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The console's doors, through real HTTP against the running API, as a browser meets them: a client
 * that keeps cookies and does not follow redirects, so that each answer can be looked at.
 */
class ConsoleSignInTests extends ApiTestBase {

  private static final Pattern CSRF =
      Pattern.compile("<input type=\"hidden\" name=\"_csrf\" value=\"([^\"]+)\"");

  @Autowired WebServerApplicationContext server;

  Browser browser;
  String adminKey;

  @BeforeEach
  void newBrowser() {
    browser = new Browser(port);
    adminKey = newClient(Role.ADMIN).key();
  }

  @Nested
  @ExtendWith(OutputCaptureExtension.class)
  class SigningIn {

    @Test
    void anAdminKeySignsInWithASessionCookieThatScriptsAndOtherSitesCannotUse() {
      HttpResponse<String> page = browser.get("/console/sign-in");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<label for=\"apiKey\"").contains("name=\"apiKey\"");
      String before = browser.sessionId();

      HttpResponse<String> signIn = browser.signIn(adminKey);

      assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(302);
      assertThat(location(signIn)).isEqualTo("/console");
      String cookie = sessionCookie(signIn);
      assertThat(cookie)
          .contains("HttpOnly")
          .containsIgnoringCase("SameSite=Strict")
          .contains("Path=/console")
          .doesNotContain("Secure");
      // Session fixation: the id a visitor had before is not the signed-in session's id.
      assertThat(browser.sessionId()).isNotNull().isNotEqualTo(before);
      HttpResponse<String> console = browser.get("/console");
      assertThat(console.statusCode()).isEqualTo(200);
      assertThat(console.body()).contains(nameOf(adminKey));
      // The id travels in the cookie only.
      assertThat(console.body()).doesNotContainIgnoringCase("jsessionid");
      assertThat(signIn.headers().firstValue("Location").orElseThrow())
          .doesNotContainIgnoringCase("jsessionid");
    }

    @Test
    void behindATlsProxyTheSessionCookieIsSecure() {
      HttpResponse<String> page =
          browser.get("/console/sign-in", Map.of("X-Forwarded-Proto", "https"));

      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(sessionCookie(page)).contains("Secure").contains("HttpOnly");
    }

    @Test
    void clientAndRegistrarKeysAreRefusedAndOpenNothing() {
      for (Role role : List.of(Role.CLIENT, Role.REGISTRAR)) {
        Browser other = new Browser(port);
        other.get("/console/sign-in");

        HttpResponse<String> signIn = other.signIn(newClient(role).key());

        assertThat(signIn.statusCode()).as(role.name()).isEqualTo(302);
        assertThat(location(signIn)).isEqualTo("/console/sign-in?error=not-admin");
        HttpResponse<String> again = other.get("/console/sign-in?error=not-admin");
        assertThat(again.body())
            .contains("role=\"alert\"")
            .contains("only admin keys open the console");
        assertRedirectedToSignIn(other.get("/console"));
      }
    }

    @Test
    void anUnknownKeyIsRefused() {
      browser.get("/console/sign-in");

      HttpResponse<String> signIn = browser.signIn("cvk_not-a-key-of-anyone-0123456789");

      assertThat(location(signIn)).isEqualTo("/console/sign-in?error=invalid");
      assertRedirectedToSignIn(browser.get("/console"));
    }

    @Test
    void signInsAndRefusalsAreLoggedWithTheKeyPrefixOnly(CapturedOutput output) {
      browser.get("/console/sign-in");
      browser.signIn(adminKey);
      String clientKey = newClient(Role.CLIENT).key();
      Browser other = new Browser(port);
      other.get("/console/sign-in");
      other.signIn(clientKey);

      assertThat(output.getOut())
          .contains("Console sign-in: " + nameOf(adminKey) + " (key " + ApiKeys.prefix(adminKey))
          .contains("Console sign-in refused (not-admin): key " + ApiKeys.prefix(clientKey))
          .doesNotContain(adminKey)
          .doesNotContain(clientKey);
    }
  }

  @Nested
  class Sessions {

    @Test
    void theConfiguredTimeoutReachesTheSession() {
      browser.get("/console/sign-in");
      browser.signIn(adminKey);

      Session session = tomcatSession(browser.sessionId());

      // conveyor.api.console.session-timeout=17m in ApiTestBase.
      assertThat(session.getMaxInactiveInterval()).isEqualTo(17 * 60);
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedAndChangesNothing() {
      browser.get("/console/sign-in");
      browser.signIn(adminKey);

      HttpResponse<String> forged = browser.post("/console/sign-out", Map.of());

      assertThat(forged.statusCode()).isEqualTo(403);
      assertThat(browser.get("/console").statusCode()).isEqualTo(200);
    }

    @Test
    void signOutWithTheTokenEndsTheSession() {
      browser.get("/console/sign-in");
      browser.signIn(adminKey);
      String token = csrf(browser.get("/console"));
      String cookie = browser.sessionId();

      HttpResponse<String> signOut = browser.post("/console/sign-out", Map.of("_csrf", token));

      assertThat(signOut.statusCode()).isEqualTo(302);
      assertThat(location(signOut)).isEqualTo("/console/sign-in?signed-out");
      assertThat(browser.get("/console/sign-in?signed-out").body())
          .contains("role=\"status\"")
          .contains("You are signed out.");
      // The old cookie, sent again as an attacker who kept it would, opens nothing.
      assertRedirectedToSignIn(new Browser(port).get("/console", cookie));
    }
  }

  @Nested
  class Revocation {

    @Test
    void revokingTheKeyEndsItsConsoleSession() {
      browser.get("/console/sign-in");
      browser.signIn(adminKey);
      assertThat(browser.get("/console").statusCode()).isEqualTo(200);
      long clientId = keys.authenticate(adminKey).orElseThrow().clientId();

      jdbc.sql("UPDATE api_clients SET revoked_at = now() WHERE id = :id")
          .param("id", clientId)
          .update();

      // Within the key cache's TTL (1 s in ApiTestBase), as a bearer key.
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> assertRedirectedToSignIn(browser.get("/console")));
    }
  }

  @Nested
  class Doors {

    @Test
    void anUnauthenticatedConsoleRequestIsRedirectedToSignIn() {
      assertRedirectedToSignIn(browser.get("/console"));
      assertRedirectedToSignIn(browser.get("/console/jobs"));
    }

    @Test
    void aBearerKeyIsNotAConsoleSession() {
      assertRedirectedToSignIn(
          browser.get("/console", Map.of("Authorization", "Bearer " + adminKey)));
    }

    @Test
    void aConsoleSessionIsNotAnApiKey() {
      browser.get("/console/sign-in");
      browser.signIn(adminKey);
      String cookie = browser.sessionId();

      var r = anonymous.get("/api/admin/queues", Map.of("Cookie", "JSESSIONID=" + cookie));

      assertProblem(r, ProblemType.UNAUTHORIZED);
    }
  }

  private void assertRedirectedToSignIn(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    assertThat(location(r)).isEqualTo("/console/sign-in");
  }

  /** Where a redirect goes: the path and query of its Location, absolute or not. */
  private static String location(HttpResponse<?> r) {
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    return location.getRawPath()
        + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
  }

  private String nameOf(String key) {
    return keys.authenticate(key).orElseThrow().name();
  }

  private Session tomcatSession(String id) {
    Context context =
        (Context) ((TomcatWebServer) server.getWebServer()).getTomcat().getHost().findChildren()[0];
    try {
      Session session = context.getManager().findSession(id);
      assertThat(session).as("session %s", id).isNotNull();
      return session;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sessionCookie(HttpResponse<?> r) {
    return r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("JSESSIONID="))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no session cookie in " + r.headers()));
  }

  static String csrf(HttpResponse<String> page) {
    Matcher m = CSRF.matcher(page.body());
    assertThat(m.find()).as("a CSRF field in %s", page.body()).isTrue();
    return m.group(1);
  }

  /** A browser's part of HTTP: cookies kept per path, redirects not followed. */
  static final class Browser {

    private final int port;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;

    Browser(int port) {
      this.port = port;
      this.http =
          HttpClient.newBuilder()
              .cookieHandler(cookies)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
    }

    HttpResponse<String> get(String path) {
      return get(path, Map.of());
    }

    HttpResponse<String> get(String path, Map<String, String> headers) {
      HttpRequest.Builder request = request(path).GET();
      headers.forEach(request::header);
      return send(request);
    }

    /** A GET with this session id only (not the browser's own cookies). */
    HttpResponse<String> get(String path, String sessionId) {
      try {
        return HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()
            .send(
                request(path).header("Cookie", "JSESSIONID=" + sessionId).GET().build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    HttpResponse<String> post(String path, Map<String, String> form) {
      String body =
          form.entrySet().stream()
              .map(
                  e ->
                      URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                          + "="
                          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
              .collect(Collectors.joining("&"));
      return send(
          request(path)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Fills in the sign-in form (its CSRF token from the page the browser has) and posts it. */
    HttpResponse<String> signIn(String key) {
      Map<String, String> form = new LinkedHashMap<>();
      form.put("apiKey", key);
      form.put("_csrf", csrf(get("/console/sign-in")));
      return post("/console/sign-in", form);
    }

    @Nullable String sessionId() {
      return cookies.getCookieStore().getCookies().stream()
          .filter(c -> c.getName().equals("JSESSIONID"))
          .map(c -> c.getValue())
          .findFirst()
          .orElse(null);
    }

    private HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
          .timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
      try {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
