package dev.conveyor.api.stream;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.report.ReportView;
import dev.conveyor.api.report.Reports;
import dev.conveyor.api.web.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * This instance's SSE subscribers, per report. A subscriber first gets the report as it is, then
 * one {@code report} event per change of status, progress or cancellation request, and after the
 * event with a final status the stream ends. Idle streams get a comment line every heartbeat.
 *
 * <p>A client may hold {@code conveyor.api.events.max-streams-per-client} streams at once on this
 * instance; another is refused with 429 until one ends (a final status, the timeout, or a write
 * that finds the client gone, at the latest on the next heartbeat).
 *
 * <p>A stream whose client has been revoked since it opened ends at a heartbeat, within {@code
 * conveyor.api.auth.cache-ttl} and a heartbeat of the revocation, as new requests are refused.
 *
 * <p>Changes arrive as hints ({@link #changed(UUID)}); the state pushed is always read from the
 * database. Reads and pushes run on one thread, in the order the hints came, with repeated hints
 * for one report coalesced: every subscriber sees the report's states in order, never an older one
 * after a newer one.
 */
@Component
class ReportStreams implements DisposableBean {

  static final String EVENT = "report";
  private static final Logger log = LoggerFactory.getLogger(ReportStreams.class);

  private final Reports reports;
  private final ApiKeys keys;
  private final Duration timeout;
  private final int maxPerClient;
  private final Map<UUID, Set<Subscription>> subscriptions = new ConcurrentHashMap<>();
  private final Map<Long, Integer> openPerClient = new ConcurrentHashMap<>();
  private final Set<UUID> pending = ConcurrentHashMap.newKeySet();
  private final ExecutorService pushes =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("conveyor-sse-push").daemon().factory());
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("conveyor-sse-heartbeat").daemon().factory());

  ReportStreams(Reports reports, ApiKeys keys, ApiProperties properties) {
    this.reports = reports;
    this.keys = keys;
    this.timeout = Objects.requireNonNull(properties.events().timeout());
    this.maxPerClient = properties.events().maxStreamsPerClient();
    long heartbeat = Objects.requireNonNull(properties.events().heartbeat()).toMillis();
    heartbeats.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
  }

  /** Opens a stream of the caller's report (404 for anyone else's, 429 over the client's cap). */
  SseEmitter subscribe(Caller caller, UUID reportId) {
    reports.get(caller, reportId);
    if (!reserve(caller.clientId())) {
      throw new ApiException(
          HttpStatus.TOO_MANY_REQUESTS,
          "At most "
              + maxPerClient
              + " event streams may be open at once; close one, or poll GET /api/reports/"
              + reportId);
    }
    SseEmitter emitter = new SseEmitter(timeout.toMillis());
    Subscription subscription = new Subscription(caller, reportId, emitter);
    emitter.onCompletion(() -> remove(subscription));
    emitter.onTimeout(() -> remove(subscription));
    emitter.onError(e -> remove(subscription));
    // Registered before the first read, so a change committed in between is not missed: it is
    // either in that read or announced afterwards (a repeat is not sent twice).
    subscriptions.computeIfAbsent(reportId, id -> ConcurrentHashMap.newKeySet()).add(subscription);
    changed(reportId);
    return emitter;
  }

  /** A hint that the report changed; subscribers get its new state shortly. */
  void changed(UUID reportId) {
    if (subscriptions.containsKey(reportId) && pending.add(reportId)) {
      pushes.execute(() -> refresh(reportId));
    }
  }

  /** After a gap in the LISTEN connection: anything may have changed. */
  void changedAll() {
    subscriptions.keySet().forEach(this::changed);
  }

  int subscriberCount() {
    return subscriptions.values().stream().mapToInt(Set::size).sum();
  }

  private void refresh(UUID reportId) {
    pending.remove(reportId);
    Set<Subscription> subs = subscriptions.get(reportId);
    if (subs == null || subs.isEmpty()) {
      return;
    }
    Optional<ReportView> view;
    try {
      view = reports.find(reportId);
    } catch (RuntimeException e) {
      log.warn(
          "Could not read report {} for its live stream; it is retried on the next change",
          reportId,
          e);
      return;
    }
    view.ifPresent(v -> subs.forEach(s -> s.push(v)));
  }

  private void heartbeat() {
    Map<Long, Boolean> active = new HashMap<>();
    subscriptions
        .values()
        .forEach(
            subs ->
                subs.forEach(
                    s -> {
                      if (active.computeIfAbsent(s.caller.clientId(), id -> isActive(s.caller))) {
                        s.heartbeat();
                      } else {
                        s.close();
                      }
                    }));
  }

  private boolean isActive(Caller caller) {
    try {
      return keys.isActive(caller);
    } catch (RuntimeException e) {
      log.warn("Could not check client {} for its live streams; they go on", caller.clientId(), e);
      return true;
    }
  }

  private void remove(Subscription subscription) {
    subscriptions.computeIfPresent(
        subscription.reportId,
        (id, subs) -> subs.remove(subscription) && subs.isEmpty() ? null : subs);
    if (subscription.released.compareAndSet(false, true)) {
      openPerClient.computeIfPresent(
          subscription.caller.clientId(), (id, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** Counts one more stream of the client, unless it has its maximum open already. */
  private boolean reserve(long clientId) {
    AtomicBoolean reserved = new AtomicBoolean();
    openPerClient.compute(
        clientId,
        (id, n) -> {
          int open = n == null ? 0 : n;
          if (open >= maxPerClient) {
            return n;
          }
          reserved.set(true);
          return open + 1;
        });
    return reserved.get();
  }

  @Override
  public void destroy() {
    heartbeats.shutdownNow();
    pushes.shutdownNow();
    subscriptions.values().forEach(subs -> subs.forEach(s -> s.emitter.complete()));
    subscriptions.clear();
  }

  /** One open stream. Sends are serialized on it. */
  private final class Subscription {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    final Caller caller;
    final UUID reportId;
    final SseEmitter emitter;
    final AtomicBoolean released = new AtomicBoolean();
    private @Nullable String lastSent;
    private boolean closed;

    Subscription(Caller caller, UUID reportId, SseEmitter emitter) {
      this.caller = caller;
      this.reportId = reportId;
      this.emitter = emitter;
    }

    synchronized void push(ReportView view) {
      String state = view.status() + "/" + view.progress() + "/" + view.cancelRequested();
      if (closed || state.equals(lastSent)) {
        return;
      }
      try {
        emitter.send(
            SseEmitter.event()
                .name(EVENT)
                .id(Long.toString(SEQUENCE.incrementAndGet()))
                .data(view, MediaType.APPLICATION_JSON));
        lastSent = state;
        if (view.status().isTerminal()) {
          closed = true;
          emitter.complete();
          remove(this);
        }
      } catch (IOException | IllegalStateException e) {
        close();
      }
    }

    synchronized void heartbeat() {
      if (closed) {
        return;
      }
      try {
        emitter.send(SseEmitter.event().comment("heartbeat"));
      } catch (IOException | IllegalStateException e) {
        close();
      }
    }

    void close() {
      closed = true;
      remove(this);
      try {
        emitter.complete();
      } catch (IllegalStateException ignored) {
        // already completed
      }
    }
  }
}
