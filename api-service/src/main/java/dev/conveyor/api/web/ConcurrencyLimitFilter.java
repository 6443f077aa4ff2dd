package dev.conveyor.api.web;

import dev.conveyor.api.ApiProperties;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lets at most {@code conveyor.api.limits.concurrent-requests} API requests run at once; the others
 * wait their turn, first come first served, and get a 503 problem (with {@code Retry-After}) after
 * {@code conveyor.api.limits.admission-timeout}.
 *
 * <p>Why: on a small machine the API and PostgreSQL share the cores, and every request beyond a few
 * only adds contention (CPU time slices, pool hand-offs, PostgreSQL backends competing for the
 * WAL), so throughput falls and the slowest requests wait longest: the pool hands connections to
 * whichever waiting thread wins, not the first. A fair semaphore makes the wait a queue. Tomcat's
 * thread count would do the same, but a download or an upload holds its thread for as long as the
 * client takes; those are exempt here, so a slow client never keeps anyone else waiting.
 *
 * <p>A request's body (at most the JSON limit, which {@link RequestSizeLimitFilter} enforces before
 * this runs) is read before the request takes its place, for the same reason. Only {@code /api/**}
 * and {@code /internal/**} are limited; health probes and metrics never wait.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 25)
class ConcurrencyLimitFilter extends OncePerRequestFilter implements MeterBinder {

  private static final Pattern ARTIFACT = Pattern.compile("/api/reports/[^/]+/artifact");

  private final int limit;
  private final Semaphore permits;
  private final long timeoutNanos;
  private final JsonMapper json;
  private final AtomicLong rejected = new AtomicLong();

  ConcurrencyLimitFilter(ApiProperties properties, JsonMapper json) {
    this.limit = properties.limits().concurrentRequests();
    this.permits = new Semaphore(limit, true);
    this.timeoutNanos = properties.limits().admissionTimeout().toNanos();
    this.json = json;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    FunctionCounter.builder("conveyor.api.admission.rejected", rejected, AtomicLong::get)
        .description("Requests refused with 503 after waiting the admission timeout")
        .register(meters);
    Gauge.builder("conveyor.api.admission.waiting", permits, Semaphore::getQueueLength)
        .description("Requests waiting for their turn to run")
        .register(meters);
    Gauge.builder("conveyor.api.admission.running", permits, p -> limit - p.availablePermits())
        .description("Requests running (at most conveyor.api.limits.concurrent-requests)")
        .register(meters);
  }

  /** Transfers run at the client's pace and are exempt, as is everything outside the API. */
  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = RequestPaths.of(request);
    return !(path.startsWith("/api/") || path.startsWith("/internal/"))
        || path.equals("/api/uploads")
        || ARTIFACT.matcher(path).matches();
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    byte[] body;
    try {
      body = request.getInputStream().readAllBytes();
    } catch (BodyTooLargeException e) {
      Problems.write(
          response,
          json,
          HttpStatus.CONTENT_TOO_LARGE,
          BodyTooLargeException.detail(e.limit()),
          request.getRequestURI());
      return;
    }
    boolean admitted;
    try {
      admitted = permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      admitted = false;
    }
    if (!admitted) {
      rejected.incrementAndGet();
      response.setHeader(HttpHeaders.RETRY_AFTER, "1");
      Problems.write(
          response,
          json,
          HttpStatus.SERVICE_UNAVAILABLE,
          "The API is at capacity; retry after a second",
          request.getRequestURI());
      return;
    }
    try {
      chain.doFilter(new ReadBody(request, body), response);
    } finally {
      permits.release();
    }
  }

  /** The request with its body already read. */
  private static final class ReadBody extends HttpServletRequestWrapper {

    private final Bytes stream;

    ReadBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.stream = new Bytes(new ByteArrayInputStream(body));
    }

    @Override
    public ServletInputStream getInputStream() {
      return stream;
    }

    @Override
    public BufferedReader getReader() throws UnsupportedEncodingException {
      String encoding = getCharacterEncoding();
      Charset charset;
      try {
        charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
      } catch (IllegalArgumentException e) {
        throw new UnsupportedEncodingException(encoding); // as the container's own reader does
      }
      return new BufferedReader(new InputStreamReader(stream, charset));
    }
  }

  private static final class Bytes extends ServletInputStream {

    private final ByteArrayInputStream in;

    Bytes(ByteArrayInputStream in) {
      this.in = in;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      return in.read(buffer, offset, length);
    }

    @Override
    public boolean isFinished() {
      return in.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException("the body has already been read");
    }
  }
}
