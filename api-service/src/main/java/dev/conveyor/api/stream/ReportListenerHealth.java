package dev.conveyor.api.stream;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code reportEvents} health: whether the LISTEN connection for live updates is up. Not part of
 * readiness: without it the API still serves everything but SSE pushes.
 */
@Component("reportEvents")
class ReportListenerHealth implements HealthIndicator {

  private final ObjectProvider<ReportChangeListener> listener;
  private final ReportStreams streams;

  ReportListenerHealth(ObjectProvider<ReportChangeListener> listener, ReportStreams streams) {
    this.listener = listener;
    this.streams = streams;
  }

  @Override
  public Health health() {
    ReportChangeListener l = listener.getIfAvailable();
    Health.Builder builder =
        l == null ? Health.unknown() : l.isConnected() ? Health.up() : Health.down();
    return builder.withDetail("subscribers", streams.subscriberCount()).build();
  }
}
