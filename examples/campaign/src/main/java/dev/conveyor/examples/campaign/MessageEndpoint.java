package dev.conveyor.examples.campaign;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The message endpoint: one POST per message, JSON {@code {messageId, recipient, text}}, with an
 * {@code Idempotency-Key} so that an endpoint that deduplicates can absorb the queue's rare
 * repeated delivery. Thread-safe: one {@link HttpClient} for every handler.
 */
@Component
class MessageEndpoint {

  /** What the endpoint answered. */
  sealed interface Answer {}

  /** 2xx: the message is sent. */
  record Sent() implements Answer {}

  /** 429: wait this long before sending anything (the endpoint's FLOOD_WAIT). */
  record FloodWait(Duration delay) implements Answer {}

  /** Another 4xx (but 408): this message will never go through (blocked, unknown recipient). */
  record Rejected(int status, String reason) implements Answer {}

  /** 408, 5xx, a timeout or a broken connection: try again later. */
  record Unavailable(String reason) implements Answer {}

  /** A 429 that names no wait still pauses the queue, for this long. */
  static final Duration DEFAULT_FLOOD_WAIT = Duration.ofSeconds(5);

  // Telegram's "FLOOD_WAIT_17" description, and its {"parameters": {"retry_after": 17}}.
  private static final Pattern FLOOD_WAIT_BODY =
      Pattern.compile("FLOOD_WAIT_(\\d{1,9})|\"retry_after\"\\s*:\\s*(\\d{1,9})");

  private final HttpClient http;
  private final JsonMapper json;
  private final CampaignSettings settings;

  MessageEndpoint(CampaignSettings settings, JsonMapper json) {
    this.settings = settings;
    this.json = json;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.sendTimeout())
            .build();
  }

  Answer send(CampaignRepository.Message message) throws InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("messageId", message.id());
    body.put("recipient", message.recipient());
    body.put("text", message.text());
    HttpRequest request =
        HttpRequest.newBuilder(settings.endpoint())
            .timeout(settings.sendTimeout())
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "campaign-message-" + message.id())
            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Unavailable(e.toString());
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return new Sent();
    }
    if (status == 429) {
      return new FloodWait(
          floodWait(response.headers().firstValue("Retry-After"), response.body(), Instant.now())
              .orElse(DEFAULT_FLOOD_WAIT));
    }
    if (status / 100 == 4 && status != 408) {
      return new Rejected(status, abbreviate(response.body()));
    }
    return new Unavailable("HTTP " + status + ": " + abbreviate(response.body()));
  }

  /**
   * The wait a 429 asks for: the {@code Retry-After} header (seconds, or an HTTP date), else a
   * FLOOD_WAIT-style body ({@code FLOOD_WAIT_17} or {@code "retry_after": 17}); at least one
   * second.
   */
  static Optional<Duration> floodWait(Optional<String> retryAfter, String body, Instant now) {
    Optional<Duration> fromHeader = retryAfter.map(String::strip).flatMap(v -> parse(v, now));
    if (fromHeader.isPresent()) {
      return fromHeader.map(MessageEndpoint::atLeastOneSecond);
    }
    Matcher matcher = FLOOD_WAIT_BODY.matcher(body);
    if (matcher.find()) {
      String seconds = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      return Optional.of(atLeastOneSecond(Duration.ofSeconds(Long.parseLong(seconds))));
    }
    return Optional.empty();
  }

  private static Optional<Duration> parse(String retryAfter, Instant now) {
    if (retryAfter.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter)));
    }
    try {
      Instant at =
          ZonedDateTime.parse(retryAfter, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(Duration.between(now, at));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Duration atLeastOneSecond(Duration wait) {
    return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
  }

  private static String abbreviate(String body) {
    String oneLine = body.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }
}
