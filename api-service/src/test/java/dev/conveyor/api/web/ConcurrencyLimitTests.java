package dev.conveyor.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.conveyor.api.Api;
import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.ApiTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Over real HTTP: requests beyond {@code conveyor.api.limits.concurrent-requests} wait and are
 * refused after the admission timeout (2 s in the shared context), and clients that send slowly
 * never take a place.
 */
class ConcurrencyLimitTests extends ApiTestBase {

  private static final String VOTER_LIST =
      "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}";

  private static final String UPLOAD = "dev.conveyor.api.artifact.UploadController.upload";
  private static final String READ_FIRST =
      ConcurrencyLimitFilter.class.getName() + ".doFilterInternal";

  @Autowired ApiProperties properties;
  @Autowired MeterRegistry meters;

  private double running() {
    return meters.get("conveyor.api.admission.running").gauge().value();
  }

  @Test
  void requestsBeyondTheLimitWaitAndAreRefusedWith503AfterTheTimeout() throws Exception {
    int limit = properties.limits().concurrentRequests();
    Duration timeout = properties.limits().admissionTimeout();
    Api client = newClient();
    String id = client.submitVoterList();

    List<CompletableFuture<Api.Response>> cancels = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(limit);
        Connection lock = dataSource.getConnection()) {
      // The report's row locked here: each cancellation takes its place, then waits on the lock.
      lock.setAutoCommit(false);
      try (PreparedStatement select =
          lock.prepareStatement("SELECT 1 FROM reports WHERE id = ? FOR UPDATE")) {
        select.setObject(1, UUID.fromString(id));
        select.executeQuery().close();
      }
      for (int i = 0; i < limit; i++) {
        cancels.add(
            CompletableFuture.supplyAsync(
                () -> client.post("/api/reports/" + id + "/cancel", ""), pool));
      }
      await().until(() -> running() == limit);

      long start = System.nanoTime();
      Api.Response refused = client.get("/api/reports/" + id);
      Duration waited = Duration.ofNanos(System.nanoTime() - start);

      assertProblem(refused, ProblemType.SERVICE_UNAVAILABLE);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      assertThat(refused.contentType()).startsWith("application/problem+json");
      assertThat(refused.json().get("status").asInt()).isEqualTo(503);
      assertThat(waited).isGreaterThanOrEqualTo(timeout);
      // Probes and metrics never wait for a place.
      assertThat(anonymous.get("/actuator/health/liveness").status()).isEqualTo(200);

      lock.rollback();
      List<Integer> statuses = cancels.stream().map(f -> f.join().status()).sorted().toList();
      Integer[] conflicts = new Integer[limit - 1];
      Arrays.fill(conflicts, 409);
      assertThat(statuses.getFirst()).isEqualTo(200);
      assertThat(statuses.subList(1, limit)).containsExactly(conflicts);
    }
    assertThat(client.get("/api/reports/" + id).json().get("status").asString())
        .isEqualTo("CANCELLED");
  }

  @Test
  void slowUploadsAndSlowBodiesDoNotHoldBackOtherRequests() throws Exception {
    int limit = properties.limits().concurrentRequests();
    Api client = newClient();
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < limit; i++) {
        slow.add(stalled(client, "/api/uploads?filename=slow.csv", "text/csv", 100_000, "a,b\n"));
        slow.add(stalled(client, "/api/reports", "application/json", 500, "{\"type\":"));
      }
      // Every one of them is on a request thread, waiting for the rest of its body.
      await().until(() -> threadsIn(UPLOAD, READ_FIRST) == 2L * limit);
      assertThat(running()).isZero();

      Api.Response submitted = client.submit(VOTER_LIST);
      assertThat(submitted.status()).isEqualTo(202);
      assertThat(client.get(submitted.header("Location")).status()).isEqualTo(200);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
    // The abandoned uploads stored nothing.
    await().until(() -> threadsIn(UPLOAD) == 0);
    assertThat(artifactsOf(client)).isZero();
  }

  /** A request whose head and the first bytes of its body are sent, and nothing more. */
  private Socket stalled(
      Api client, String path, String contentType, int contentLength, String firstBytes)
      throws Exception {
    Socket socket = new Socket("localhost", port);
    OutputStream out = socket.getOutputStream();
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + client.key()
            + "\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + contentLength
            + "\r\n\r\n";
    out.write((head + firstBytes).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /**
   * Threads of this JVM (the server runs in it) with a frame of one of these methods ({@code
   * Class.method}) on their stack. Request threads are virtual, which {@link
   * Thread#getAllStackTraces()} leaves out; a thread dump has them, one block per thread.
   */
  private static long threadsIn(String... methods) throws IOException {
    Path dump = Files.createTempFile("conveyor-threads-", ".txt");
    try {
      Files.delete(dump); // dumpThreads refuses to overwrite
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
      return Arrays.stream(Files.readString(dump).split("\\n\\s*\\n"))
          .filter(thread -> Arrays.stream(methods).anyMatch(m -> thread.contains("at " + m + "(")))
          .count();
    } finally {
      Files.deleteIfExists(dump);
    }
  }
}
