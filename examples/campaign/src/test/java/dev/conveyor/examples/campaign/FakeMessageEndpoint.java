package dev.conveyor.examples.campaign;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message endpoint on a free local port (the JDK's HTTP server), standing in for a Telegram-like
 * API. It records every request with its arrival time and answers after a fixed latency, so that
 * requests overlap as they would over a network. It deduplicates nothing.
 *
 * <p>Once, at a chosen request, it answers 429 with a FLOOD_WAIT body; for the following seconds it
 * refuses every request with 429 and {@code Retry-After} (the seconds left), as a real flood wait
 * does: the requests already on their way when the first 429 went out are refused too.
 */
final class FakeMessageEndpoint implements AutoCloseable {

  /** One request: when it arrived ({@link System#nanoTime()}), which message, what it got. */
  record Request(long arrivedNanos, long messageId, String recipient, int status) {}

  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\"\\s*:\\s*(\\d+)");
  private static final Pattern RECIPIENT = Pattern.compile("\"recipient\"\\s*:\\s*\"([^\"]*)\"");

  private final HttpServer server;
  private final ScheduledExecutorService replies =
      Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().factory());
  private final Duration latency;

  // Guarded by this.
  private final List<Request> requests = new ArrayList<>();
  private final Map<String, Integer> inFlight = new HashMap<>();
  private final List<String> overlaps = new ArrayList<>();
  private int floodAtRequest;
  private Duration floodWait = Duration.ZERO;
  private long floodStartNanos = -1;
  private long floodEndNanos = -1;

  private FakeMessageEndpoint(Duration latency) throws IOException {
    this.latency = latency;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/messages", this::handle);
    server.start();
  }

  /** A started endpoint answering each request after {@code latency}. */
  static FakeMessageEndpoint start(Duration latency) {
    try {
      return new FakeMessageEndpoint(latency);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String uri() {
    return "http://"
        + server.getAddress().getHostString()
        + ":"
        + server.getAddress().getPort()
        + "/messages";
  }

  /** Forgets every request; the request numbered {@code request} (from 1) starts a flood wait. */
  synchronized void reset(int request, Duration wait) {
    requests.clear();
    inFlight.clear();
    overlaps.clear();
    floodAtRequest = request;
    floodWait = wait;
    floodStartNanos = -1;
    floodEndNanos = -1;
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests that arrived while another request for the same recipient was being answered. */
  synchronized List<String> overlaps() {
    return List.copyOf(overlaps);
  }

  /** When the flood wait began ({@link System#nanoTime()}), or -1. */
  synchronized long floodStartNanos() {
    return floodStartNanos;
  }

  synchronized long floodEndNanos() {
    return floodEndNanos;
  }

  synchronized long accepted() {
    return requests.stream().filter(r -> r.status() == 200).count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long now = System.nanoTime();
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    long messageId = Long.parseLong(group(MESSAGE_ID, body));
    String recipient = group(RECIPIENT, body);
    int status;
    String answer;
    synchronized (this) {
      if (floodStartNanos < 0 && requests.size() + 1 == floodAtRequest) {
        floodStartNanos = now;
        floodEndNanos = now + floodWait.toNanos();
        status = 429;
        answer =
            "{\"ok\":false,\"error_code\":429,\"description\":\"FLOOD_WAIT_"
                + floodWait.toSeconds()
                + "\"}";
      } else if (floodStartNanos >= 0 && now < floodEndNanos) {
        status = 429;
        long secondsLeft = (floodEndNanos - now + 999_999_999) / 1_000_000_000;
        exchange.getResponseHeaders().set("Retry-After", Long.toString(secondsLeft));
        answer = "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests\"}";
      } else {
        status = 200;
        answer = "{\"ok\":true}";
      }
      requests.add(new Request(now, messageId, recipient, status));
      if (inFlight.merge(recipient, 1, Integer::sum) > 1) {
        overlaps.add("message " + messageId + " to " + recipient);
      }
    }
    // Answer later from another thread, without holding a thread meanwhile.
    replies.schedule(
        () -> reply(exchange, recipient, status, answer), latency.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void reply(HttpExchange exchange, String recipient, int status, String answer) {
    // Counted off before the answer leaves, so the sender's next message cannot arrive first.
    synchronized (this) {
      inFlight.merge(recipient, -1, Integer::sum);
    }
    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = exchange.getResponseBody()) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      out.write(bytes);
    } catch (IOException e) {
      // The client gave up; it retries.
    } finally {
      exchange.close();
    }
  }

  private static String group(Pattern pattern, String body) {
    Matcher matcher = pattern.matcher(body);
    if (!matcher.find()) {
      throw new IllegalArgumentException("not a message: " + body);
    }
    return matcher.group(1);
  }

  @Override
  public void close() {
    server.stop(0);
    replies.shutdownNow();
  }
}
