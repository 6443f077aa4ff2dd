package dev.conveyor.api.stream;

import dev.conveyor.api.Api;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** Reads a real SSE response on a background thread and hands out its events and comments. */
final class SseClient implements AutoCloseable {

  /** One item of the stream: an event (name, data) or a comment line, or the end. */
  record Item(String kind, String name, String data) {
    JsonNode json() {
      return Api.JSON.readTree(data);
    }
  }

  static final Item END = new Item("end", "", "");

  final HttpResponse<Stream<String>> response;
  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private final Thread reader;

  SseClient(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = Thread.ofVirtual().start(this::read);
  }

  private void read() {
    String name = "message";
    List<String> data = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            items.add(new Item("event", name, String.join("\n", data)));
          }
          name = "message";
          data.clear();
        } else if (line.startsWith(":")) {
          items.add(new Item("comment", "", line.substring(1)));
        } else if (line.startsWith("event:")) {
          name = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.add(line.substring(5).strip());
        }
      }
    } catch (RuntimeException e) {
      // the stream was closed under us
    } finally {
      items.add(END);
    }
  }

  /** The next event, skipping comments; fails after {@code timeout}. */
  Item nextEvent(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Item item = items.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (item == null) {
        throw new AssertionError("no SSE event within " + timeout);
      }
      if (!item.kind().equals("comment")) {
        return item;
      }
    }
  }

  /** The next comment line; fails after {@code timeout}. */
  Item nextComment(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Item item = items.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (item == null) {
        throw new AssertionError("no SSE comment within " + timeout);
      }
      if (item.kind().equals("comment") || item == END) {
        return item;
      }
    }
  }

  @Override
  public void close() {
    reader.interrupt();
  }
}
