package dev.conveyor.api.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The path a filter must decide on. {@link HttpServletRequest#getRequestURI()} is the raw path as
 * sent: {@code /api;x=1/admin/queues}, {@code /%61pi/admin/queues} or {@code
 * /api/uploads/../reports} do not start with what they are routed to, so a filter that tested the
 * raw path would let them past its checks. The servlet path (plus path info) is the container's
 * canonical form of the same path, decoded, without path parameters and with dot segments resolved.
 */
public final class RequestPaths {

  private RequestPaths() {}

  /** The decoded, normalized path within the application, e.g. {@code /api/admin/queues}. */
  public static String of(HttpServletRequest request) {
    String info = request.getPathInfo();
    return info == null ? request.getServletPath() : request.getServletPath() + info;
  }
}
