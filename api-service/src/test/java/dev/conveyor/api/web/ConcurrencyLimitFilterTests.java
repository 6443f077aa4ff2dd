package dev.conveyor.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.ApiProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.DelegatingServletInputStream;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admission queue itself, on its own: order, refusal, release. That slow clients stay out of it
 * over real HTTP is in {@link ConcurrencyLimitTests}.
 */
class ConcurrencyLimitFilterTests {

  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private ConcurrencyLimitFilter filter(int limit, Duration timeout) {
    ApiProperties.Limits limits = new ApiProperties.Limits(null, null, limit, timeout);
    ConcurrencyLimitFilter filter =
        new ConcurrencyLimitFilter(
            new ApiProperties(null, null, null, null, null, limits, null, null, null, null),
            JsonMapper.builder().build());
    filter.bindTo(meters);
    return filter;
  }

  private static MockHttpServletRequest request(String path) {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
    request.setServletPath(path);
    return request;
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
  }

  /**
   * Runs a request through a filter of one place on its own thread and returns once it has the
   * place; its handler keeps it until {@code release}.
   */
  private Future<MockHttpServletResponse> holdingTheOnlyPlace(
      ConcurrencyLimitFilter filter, CountDownLatch release) {
    Future<MockHttpServletResponse> held =
        threads.submit(
            () -> {
              MockHttpServletResponse response = new MockHttpServletResponse();
              filter.doFilter(request("/api/reports"), response, (req, res) -> waitFor(release));
              return response;
            });
    await().until(() -> gauge("conveyor.api.admission.running") == 1);
    return held;
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void waitingRequestsRunInTheOrderTheyArrived() throws Exception {
    ConcurrencyLimitFilter filter = filter(1, Duration.ofSeconds(30));
    CountDownLatch release = new CountDownLatch(1);
    Future<MockHttpServletResponse> first = holdingTheOnlyPlace(filter, release);

    List<Integer> ran = new CopyOnWriteArrayList<>();
    List<Future<?>> waiting = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      int n = i;
      waiting.add(
          threads.submit(
              () -> {
                filter.doFilter(
                    request("/api/reports"), new MockHttpServletResponse(), (q, s) -> ran.add(n));
                return null;
              }));
      // Each one queued before the next arrives, so arrival order is known.
      await().until(() -> gauge("conveyor.api.admission.waiting") == n);
    }
    assertThat(ran).isEmpty();

    release.countDown();
    first.get();
    for (Future<?> f : waiting) {
      f.get();
    }
    assertThat(ran).containsExactly(1, 2, 3, 4, 5);
    assertThat(gauge("conveyor.api.admission.running")).isZero();
  }

  @Test
  void aRequestThatWaitsPastTheTimeoutIs503ProblemWithRetryAfter() throws Exception {
    ConcurrencyLimitFilter filter = filter(1, Duration.ofMillis(200));
    CountDownLatch release = new CountDownLatch(1);
    Future<MockHttpServletResponse> first = holdingTheOnlyPlace(filter, release);

    AtomicBoolean ran = new AtomicBoolean();
    MockHttpServletResponse refused = new MockHttpServletResponse();
    filter.doFilter(request("/api/reports"), refused, (q, s) -> ran.set(true));

    assertThat(ran).isFalse();
    assertThat(refused.getStatus()).isEqualTo(503);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.getContentType()).isEqualTo("application/problem+json");
    assertThat(refused.getContentAsString()).contains("\"status\":503").contains("at capacity");
    assertThat(meters.get("conveyor.api.admission.rejected").functionCounter().count())
        .isEqualTo(1);

    release.countDown();
    assertThat(first.get().getStatus()).isEqualTo(200);
    MockHttpServletResponse after = new MockHttpServletResponse();
    filter.doFilter(request("/api/reports"), after, (q, s) -> ran.set(true));
    assertThat(ran).isTrue();
  }

  @Test
  void aFailingRequestGivesItsPlaceBack() throws Exception {
    ConcurrencyLimitFilter filter = filter(1, Duration.ofMillis(200));
    FilterChain failing =
        (q, s) -> {
          throw new ServletException("handler failed");
        };
    assertThatThrownBy(
            () -> filter.doFilter(request("/api/reports"), new MockHttpServletResponse(), failing))
        .isInstanceOf(ServletException.class);

    AtomicBoolean ran = new AtomicBoolean();
    MockHttpServletResponse next = new MockHttpServletResponse();
    filter.doFilter(request("/api/reports"), next, (q, s) -> ran.set(true));
    assertThat(ran).isTrue();
    assertThat(next.getStatus()).isEqualTo(200);
    assertThat(gauge("conveyor.api.admission.running")).isZero();
  }

  @Test
  void theHandlerReadsTheBodyThatWasReadBeforeItsTurn() throws Exception {
    ConcurrencyLimitFilter filter = filter(1, Duration.ofSeconds(1));
    String json = "{\"type\":\"voterList\",\"format\":\"CSV\"}";
    MockHttpServletRequest post = request("/api/reports");
    post.setMethod("POST");
    post.setContentType("application/json");
    post.setCharacterEncoding("UTF-8");
    post.setContent(json.getBytes(StandardCharsets.UTF_8));

    CompletableFuture<String> streamed = new CompletableFuture<>();
    filter.doFilter(
        post,
        new MockHttpServletResponse(),
        (q, s) -> {
          ServletInputStream in = q.getInputStream();
          streamed.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          assertThat(in.isFinished()).isTrue();
          assertThat(q.getInputStream()).isSameAs(in);
        });
    assertThat(streamed.get()).isEqualTo(json);

    post.setContent(json.getBytes(StandardCharsets.UTF_8));
    CompletableFuture<String> asText = new CompletableFuture<>();
    filter.doFilter(
        post, new MockHttpServletResponse(), (q, s) -> asText.complete(q.getReader().readLine()));
    assertThat(asText.get()).isEqualTo(json);
  }

  @Test
  void aChunkedBodyOverTheLimitIs413WithoutTakingAPlace() throws Exception {
    ConcurrencyLimitFilter filter = filter(1, Duration.ofSeconds(1));
    MockHttpServletRequest post =
        new MockHttpServletRequest("POST", "/api/reports") {
          @Override
          public ServletInputStream getInputStream() {
            // What RequestSizeLimitFilter's counting stream does once a chunked body passes 16 B.
            return new DelegatingServletInputStream(InputStream.nullInputStream()) {
              @Override
              public int read(byte[] buffer, int offset, int length) throws IOException {
                throw new BodyTooLargeException(16);
              }
            };
          }
        };
    post.setServletPath("/api/reports");
    AtomicBoolean ran = new AtomicBoolean();
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(post, response, (q, s) -> ran.set(true));

    assertThat(ran).isFalse();
    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentAsString()).contains("larger than 16 bytes");
    assertThat(gauge("conveyor.api.admission.running")).isZero();
  }

  @Test
  void onlyApiRequestsThatAreNotTransfersAreLimited() {
    ConcurrencyLimitFilter filter = filter(1, Duration.ofSeconds(1));
    assertThat(filter.shouldNotFilter(request("/api/reports"))).isFalse();
    assertThat(filter.shouldNotFilter(request("/api/reports/abc/events"))).isFalse();
    assertThat(filter.shouldNotFilter(request("/api/admin/queues"))).isFalse();
    assertThat(filter.shouldNotFilter(request("/internal/report-events"))).isFalse();

    assertThat(filter.shouldNotFilter(request("/api/uploads"))).isTrue();
    assertThat(filter.shouldNotFilter(request("/api/reports/abc/artifact"))).isTrue();
    assertThat(filter.shouldNotFilter(request("/actuator/health"))).isTrue();
    assertThat(filter.shouldNotFilter(request("/v3/api-docs"))).isTrue();
  }
}
