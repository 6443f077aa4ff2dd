package dev.conveyor.api.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Tomcat's error report for what it refuses before any servlet, filter or {@link
 * ProblemErrorController} runs: a header larger than {@code server.max-http-request-header-size},
 * an encoded slash or a backslash in the path, and the like. It writes a bare problem detail (the
 * status and its reason phrase, nothing about the server) instead of Tomcat's HTML page. Like
 * Tomcat's own, it does nothing when the application already wrote the response.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, @Nullable Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean(true);
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    HttpStatus known = HttpStatus.resolve(status);
    ProblemType kind = known == null ? null : ProblemType.forStatus(known);
    String reason = known == null ? "Error" : known.getReasonPhrase();
    String type = kind == null ? "about:blank" : kind.uri().toString();
    String title = kind == null ? reason : kind.title();
    try {
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(
            "{\"type\":\""
                + type
                + "\",\"title\":\""
                + title
                + "\",\"status\":"
                + status
                + ",\"detail\":\""
                + reason
                + "\"}");
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The client is gone, or the response cannot take a body: nothing more to do.
    }
  }

  /** Puts the valve on the embedded Tomcat's host in place of the default one. */
  @Component
  static final class Installer
      implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      factory.addContextCustomizers(
          context -> {
            if (context.getParent() instanceof StandardHost host) {
              host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
          });
    }
  }
}
