package dev.conveyor.api.web;

import dev.conveyor.api.ApiProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Caps request bodies: a declared {@code Content-Length} over the limit is refused with 413 before
 * anything is read; a chunked body is counted while it is read and fails with 413 once it passes
 * the limit. Uploads ({@code /api/uploads}) get their own, larger limit.
 *
 * <p>A multipart body is refused with 415 on every other path, before anything is read: Spring MVC
 * and Tomcat parse multipart bodies themselves, past the counting wrapper and up to the upload
 * limit, and would do so for any path (an unauthenticated one too) before the handler is found.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestSizeLimitFilter extends OncePerRequestFilter {

  private final long jsonLimit;
  private final long uploadLimit;
  private final JsonMapper json;

  RequestSizeLimitFilter(ApiProperties properties, JsonMapper json) {
    this.jsonLimit = properties.limits().jsonBody().toBytes();
    this.uploadLimit = properties.limits().upload().toBytes();
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    boolean upload = RequestPaths.of(request).equals("/api/uploads");
    if (!upload && isMultipart(request)) {
      Problems.write(
          response,
          json,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "A multipart body is accepted only by POST /api/uploads",
          request.getRequestURI());
      return;
    }
    long limit = upload ? uploadLimit : jsonLimit;
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      Problems.write(
          response,
          json,
          HttpStatus.CONTENT_TOO_LARGE,
          BodyTooLargeException.detail(limit),
          request.getRequestURI());
      return;
    }
    chain.doFilter(declared >= 0 ? request : new Limited(request, limit), response);
  }

  private static boolean isMultipart(HttpServletRequest request) {
    String type = request.getContentType();
    return type != null && type.strip().regionMatches(true, 0, "multipart/", 0, 10);
  }

  /** Counts the bytes of a body of unknown length and stops at the limit. */
  private static final class Limited extends HttpServletRequestWrapper {

    private final long limit;
    private @Nullable ServletInputStream stream;

    Limited(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public synchronized ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), limit);
      }
      return stream;
    }
  }

  private static final class Counting extends ServletInputStream {

    private final ServletInputStream in;
    private final long limit;
    private long count;

    Counting(ServletInputStream in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        add(n);
      }
      return n;
    }

    private void add(int n) throws IOException {
      count += n;
      if (count > limit) {
        throw new BodyTooLargeException(limit);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
