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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * database. Reads run on one thread, in the order the hints came, with repeated hints for one
 * report coalesced. Writes do not: each stream has its own sender (a virtual thread while it has
 * something to send) and a mailbox of one state and one heartbeat, where a newer state replaces one
 * not yet sent. So a client that stops reading blocks only its own sender, holds at most one
 * pending state, and every subscriber still sees the report's states in order, never an older one
 * after a newer one (a slow one may skip states in between; the final state always comes).
 *
 * <p>A stream whose write has not completed for {@link #stallTimeout} (two heartbeats, at least 5
 * s) is dropped: it leaves the registry and stops counting against its client's cap. Its sender
 * ends when the blocked write fails: when the client closes the connection, or at the latest at
 * Tomcat's write timeout ({@code server.tomcat.connection-timeout}, 60 s by default), which also
 * closes the connection.
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
  private final ExecutorService senders =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("conveyor-sse-send-", 0).factory());
  private final AtomicInteger sending = new AtomicInteger();
  private final Duration stallTimeout;

  ReportStreams(Reports reports, ApiKeys keys, ApiProperties properties) {
    this.reports = reports;
    this.keys = keys;
    this.timeout = Objects.requireNonNull(properties.events().timeout());
    this.maxPerClient = properties.events().maxStreamsPerClient();
    long heartbeat = Objects.requireNonNull(properties.events().heartbeat()).toMillis();
    this.stallTimeout = stallTimeout(properties.events().heartbeat());
    heartbeats.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
  }

  /**
   * How long a write may stay blocked before its stream is dropped: two heartbeats, so that a
   * client that reads at all is never dropped, but at least 5 s, so that a busy machine's pause is
   * not taken for a stalled client.
   */
  static Duration stallTimeout(Duration heartbeat) {
    Duration twice = heartbeat.multipliedBy(2);
    Duration floor = Duration.ofSeconds(5);
    return twice.compareTo(floor) < 0 ? floor : twice;
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

  /** Streams of the report open on this instance. */
  int subscriberCount(UUID reportId) {
    Set<Subscription> subs = subscriptions.get(reportId);
    return subs == null ? 0 : subs.size();
  }

  /** Whether a write to some stream has been blocked for more than a tenth of a second. */
  boolean hasBlockedWrite() {
    long now = System.nanoTime();
    long limit = Duration.ofMillis(100).toNanos();
    return subscriptions.values().stream()
        .anyMatch(subs -> subs.stream().anyMatch(s -> s.blockedFor(now) > limit));
  }

  /** Senders running now: at most one per stream, and none once every write has returned. */
  int sendersRunning() {
    return sending.get();
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
    view.ifPresent(v -> subs.forEach(s -> s.offer(v)));
  }

  private void heartbeat() {
    Map<Long, Boolean> active = new HashMap<>();
    long now = System.nanoTime();
    subscriptions
        .values()
        .forEach(
            subs ->
                subs.forEach(
                    s -> {
                      if (s.blockedFor(now) > stallTimeout.toNanos()) {
                        log.info(
                            "Dropping a live stream of report {}: its client has taken nothing"
                                + " for {} s",
                            s.reportId,
                            stallTimeout.toSeconds());
                        s.close();
                      } else if (active.computeIfAbsent(
                          s.caller.clientId(), id -> isActive(s.caller))) {
                        s.offerHeartbeat();
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
    // Not awaited: a sender blocked on a client that reads nothing ends at the write timeout.
    senders.shutdownNow();
    subscriptions.values().forEach(subs -> subs.forEach(s -> s.emitter.complete()));
    subscriptions.clear();
  }

  /**
   * One open stream and its mailbox: the newest state not yet sent and whether a heartbeat is due.
   * At most one sender drains it at a time, so sends on one stream are serialized and in order.
   */
  private final class Subscription {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    final Caller caller;
    final UUID reportId;
    final SseEmitter emitter;
    final AtomicBoolean released = new AtomicBoolean();
    private final AtomicReference<@Nullable ReportView> nextView = new AtomicReference<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean heartbeatDue;
    private volatile boolean closed;

    /** When the write in progress began (System.nanoTime), 0 when none is. */
    private volatile long writingSince;

    // Read and written by the one sender at a time (ordered by the draining flag).
    private @Nullable String lastSent;

    Subscription(Caller caller, UUID reportId, SseEmitter emitter) {
      this.caller = caller;
      this.reportId = reportId;
      this.emitter = emitter;
    }

    void offer(ReportView view) {
      nextView.set(view);
      wake();
    }

    void offerHeartbeat() {
      heartbeatDue = true;
      wake();
    }

    /** How long the write in progress has been blocked, 0 when none is. */
    long blockedFor(long now) {
      long since = writingSince;
      return since == 0 ? 0 : now - since;
    }

    private void wake() {
      if (!closed && draining.compareAndSet(false, true)) {
        try {
          senders.execute(this::drain);
        } catch (RejectedExecutionException e) {
          draining.set(false); // shutting down
        }
      }
    }

    private void drain() {
      sending.incrementAndGet();
      try {
        while (!closed) {
          ReportView view = nextView.getAndSet(null);
          if (view != null) {
            send(view);
          } else if (heartbeatDue) {
            heartbeatDue = false;
            write(SseEmitter.event().comment("heartbeat"));
          } else {
            break;
          }
        }
      } finally {
        draining.set(false);
        sending.decrementAndGet();
      }
      if (closed) {
        complete();
      } else if (nextView.get() != null || heartbeatDue) {
        wake(); // offered after the loop looked and before the flag was cleared
      }
    }

    private void send(ReportView view) {
      String state = view.status() + "/" + view.progress() + "/" + view.cancelRequested();
      if (state.equals(lastSent)) {
        return;
      }
      if (write(
          SseEmitter.event()
              .name(EVENT)
              .id(Long.toString(SEQUENCE.incrementAndGet()))
              .data(view, MediaType.APPLICATION_JSON))) {
        lastSent = state;
        if (view.status().isTerminal()) {
          close();
        }
      }
    }

    /** Writes one event, blocking while the client's connection takes nothing. */
    private boolean write(SseEmitter.SseEventBuilder event) {
      writingSince = System.nanoTime() | 1; // never 0 while writing
      try {
        emitter.send(event);
        return true;
      } catch (IOException | IllegalStateException e) {
        close();
        return false;
      } finally {
        writingSince = 0;
      }
    }

    /** Ends the stream: out of the registry now, the response completed once no write is on. */
    void close() {
      closed = true;
      remove(this);
      if (!draining.get()) {
        complete();
      }
      // else the sender completes it when its write returns
    }

    private void complete() {
      try {
        emitter.complete();
      } catch (IllegalStateException ignored) {
        // already completed
      }
    }
  }
}
