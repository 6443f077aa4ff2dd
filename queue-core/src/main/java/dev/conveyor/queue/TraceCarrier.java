package dev.conveyor.queue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The text a job's trace context is stored as ({@code conveyor.queue_job.trace_context}): the
 * propagation fields a text-map propagator writes into HTTP headers, one {@code name: value} line
 * each, e.g.
 *
 * <pre>
 * traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
 * tracestate: vendor=opaque</pre>
 *
 * Header-shaped rather than a bare traceparent so that any propagation format (W3C, B3, baggage)
 * fits without a schema change, and readable by a person or a SQL producer without a JSON parser.
 * Field names are lower case; a field whose name or value holds a line break or whose name holds a
 * colon cannot be written and is left out. Stateless and thread-safe.
 */
public final class TraceCarrier {

  /** The longest trace context a job stores (the column's check constraint). */
  public static final int MAX_LENGTH = 4096;

  private TraceCarrier() {}

  /**
   * The fields as stored; {@code null} when none can be written, or when together they exceed
   * {@link #MAX_LENGTH} (the job is then enqueued untraced rather than refused).
   */
  public static @Nullable String format(Map<String, String> fields) {
    StringBuilder text = new StringBuilder(80 * fields.size());
    for (Map.Entry<String, String> field : fields.entrySet()) {
      String name = field.getKey();
      String value = field.getValue();
      if (name.isEmpty() || !writable(name) || name.indexOf(':') >= 0 || !writable(value)) {
        continue;
      }
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(name.toLowerCase(java.util.Locale.ROOT)).append(": ").append(value.strip());
    }
    return text.isEmpty() || text.length() > MAX_LENGTH ? null : text.toString();
  }

  /**
   * The fields of a stored trace context, in their order; empty for {@code null} or for text that
   * holds none. Lines without a colon are skipped: a malformed context starts a new trace, it never
   * fails a job.
   */
  public static Map<String, String> parse(@Nullable String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (text == null) {
      return fields;
    }
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      fields.put(
          line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
          line.substring(colon + 1).strip());
    }
    return fields;
  }

  private static boolean writable(String text) {
    return text.indexOf('\n') < 0 && text.indexOf('\r') < 0;
  }
}
