package dev.conveyor.worker;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tracing switched on in an end-to-end application, its spans kept in memory: the property that
 * turns tracing on (as in production), every trace sampled, and spans handed to the exporter a
 * tenth of a second after they end instead of five seconds.
 */
final class TraceCapture {

  private TraceCapture() {}

  /**
   * The arguments that turn tracing on, as in production (docs/operations.md, Tracing), exporting
   * over OTLP to {@code collector} too; every trace sampled, spans exported a tenth of a second
   * after they end instead of five seconds.
   */
  static String[] on(Collector collector) {
    return new String[] {
      "--management.tracing.export.enabled=true",
      "--management.opentelemetry.tracing.export.otlp.endpoint=" + collector.endpoint(),
      "--management.tracing.sampling.probability=1.0",
      "--management.opentelemetry.tracing.export.schedule-delay=100ms"
    };
  }

  /** Stands in for an OpenTelemetry collector: keeps what is POSTed to its OTLP/HTTP endpoint. */
  static final class Collector implements AutoCloseable {

    /** One export: its content type and body (protobuf). */
    record Export(String contentType, byte[] body) {

      boolean mentions(String text) {
        return new String(body, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
      }
    }

    final List<Export> exports = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final com.sun.net.httpserver.HttpServer server;

    Collector() {
      try {
        server =
            com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      server.createContext(
          "/v1/traces",
          exchange -> {
            exports.add(
                new Export(
                    String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      server.start();
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** Registers {@code spans} as a span exporter of the application, beside any configured one. */
  static ApplicationContextInitializer<ConfigurableApplicationContext> into(
      InMemorySpanExporter spans) {
    return context -> context.getBeanFactory().registerSingleton("testSpanExporter", spans);
  }

  /** The finished spans of both applications in the trace {@code traceId}. */
  static List<SpanData> trace(String traceId, InMemorySpanExporter... exporters) {
    List<SpanData> spans = new ArrayList<>();
    for (InMemorySpanExporter exporter : exporters) {
      exporter.getFinishedSpanItems().stream()
          .filter(s -> s.getTraceId().equals(traceId))
          .forEach(spans::add);
    }
    return spans;
  }

  /** An attribute's value as text, whatever its type; null if the span has none. */
  static @Nullable String attribute(SpanData span, String key) {
    for (Map.Entry<AttributeKey<?>, Object> attribute : span.getAttributes().asMap().entrySet()) {
      if (attribute.getKey().getKey().equals(key)) {
        return String.valueOf(attribute.getValue());
      }
    }
    return null;
  }
}
