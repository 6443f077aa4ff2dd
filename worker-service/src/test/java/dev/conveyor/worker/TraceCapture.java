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

  static final String[] ON = {
    "--management.tracing.export.enabled=true",
    "--management.tracing.sampling.probability=1.0",
    "--management.opentelemetry.tracing.export.schedule-delay=100ms"
  };

  private TraceCapture() {}

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
