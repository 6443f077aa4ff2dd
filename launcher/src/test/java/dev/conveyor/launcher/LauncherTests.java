package dev.conveyor.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The launcher as a user runs it, with real processes and real HTTP: embedded PostgreSQL in a fresh
 * data folder, the two service jars the reactor just built, a report submitted with the printed
 * key; then a stop by SIGTERM, a restart on the same folder (the data and the key are still there,
 * nothing is seeded twice), and a service killed under it (everything else stops, exit code 1).
 */
class LauncherTests {

  /**
   * Generous: three JVMs and a PostgreSQL start on a 2-core machine that may be shared with other
   * builds (the API alone once took 3 minutes there). Idle, a start takes seconds.
   */
  static final Duration START = Duration.ofMinutes(8);

  static final Duration STOP = Duration.ofSeconds(60);
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dataDir;

  final int pgPort = freePort();
  final int apiPort = freePort();
  final int workerPort = freePort();

  @Test
  void runsTheStackStopsCleanlyAndKeepsItsDataAcrossARestart() throws Exception {
    String reportId;
    String sha256;
    long voters;
    String key;

    try (LauncherProcess first = LauncherProcess.start(args())) {
      key = first.awaitReady(START);
      assertThat(first.find(Pattern.compile("Seeded .*voters"))).isPresent();
      voters = count("SELECT count(*) FROM voters");
      assertThat(voters).isEqualTo(300);
      String county = county();
      long inCounty =
          count("SELECT count(*) FROM voters WHERE county = '" + county.replace("'", "''") + "'");

      reportId =
          submit(
              key,
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\""
                  + county
                  + "\"}}");
      JsonNode report = awaitFinal(key, reportId);
      assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
      sha256 = report.get("artifact").get("sha256").asString();
      byte[] file = download(key, reportId);
      assertThat(sha256(file)).isEqualTo(sha256);
      String csv = new String(file, StandardCharsets.UTF_8);
      assertThat(csv).startsWith("State Voter ID,");
      assertThat(csv.lines().count()).isEqualTo(inCounty + 1);

      // Local development: a callbackUrl on this machine is accepted (refused with 422 by default).
      submit(
          key,
          "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\""
              + county
              + "\"},\"callbackUrl\":\"http://localhost:9/hook\"}");

      // The secrets are kept owner-only in the data folder; the printed key is the kept one.
      assertThat(Files.readString(dataDir.resolve("api-key")).strip()).isEqualTo(key);
      assertThat(Files.getPosixFilePermissions(dataDir.resolve("api-key")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(dataDir.resolve("callback-secret")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));

      List<ProcessHandle> services = first.descendants();
      assertThat(services).hasSizeGreaterThanOrEqualTo(2);
      first.terminate();
      assertThat(first.awaitExit(STOP)).isZero();
      assertThat(services).noneMatch(ProcessHandle::isAlive);
      assertThat(listening(pgPort)).as("PostgreSQL stopped").isFalse();
      List<String> lines = first.lines();
      assertThat(lines).contains("[launcher] Stopping PostgreSQL", "[launcher] Stopped");
      // The services stopped on their own (SIGTERM), not killed, before PostgreSQL went.
      assertThat(lines.indexOf("[launcher] Stopping PostgreSQL"))
          .isGreaterThan(indexOfContaining(lines, "[launcher] api stopped"))
          .isGreaterThan(indexOfContaining(lines, "[launcher] worker stopped"));
    }

    try (LauncherProcess second = LauncherProcess.start(args())) {
      assertThat(second.awaitReady(START)).isEqualTo(key);
      assertThat(second.find(Pattern.compile("Seeded"))).isEmpty();
      assertThat(second.find(Pattern.compile("holds ([0-9,]+) voters: not seeding")))
          .hasValue("300");
      assertThat(count("SELECT count(*) FROM voters")).isEqualTo(voters);
      JsonNode report = get(key, "/api/reports/" + reportId);
      assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(sha256(download(key, reportId))).isEqualTo(sha256);

      // A service that dies takes the stack down: the rest stops and the launcher fails.
      ProcessHandle api = second.child("api-service");
      second.child("worker-service").destroyForcibly();
      assertThat(second.awaitExit(STOP)).isEqualTo(1);
      assertThat(second.lines()).anyMatch(l -> l.contains("worker exited unexpectedly"));
      assertThat(api.isAlive()).isFalse();
      assertThat(listening(pgPort)).as("PostgreSQL stopped").isFalse();
    }
  }

  private List<String> args() {
    return List.of(
        "--data-dir",
        dataDir.toString(),
        "--pg-port",
        Integer.toString(pgPort),
        "--api-port",
        Integer.toString(apiPort),
        "--worker-port",
        Integer.toString(workerPort),
        "--api-jar",
        System.getProperty("conveyor.launcher.test.api-jar"),
        "--worker-jar",
        System.getProperty("conveyor.launcher.test.worker-jar"),
        "--sample-voters",
        "300",
        "--startup-timeout",
        Long.toString(START.minusSeconds(30).toSeconds()));
  }

  private String submit(String key, String body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            request(key, "/api/reports")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body()).get("reportId").asString();
  }

  private JsonNode awaitFinal(String key, String reportId) {
    return await("report " + reportId + " to finish")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> get(key, "/api/reports/" + reportId),
            r -> List.of("COMPLETED", "FAILED", "CANCELLED").contains(r.get("status").asString()));
  }

  private JsonNode get(String key, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(request(key, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private byte[] download(String key, String reportId) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        HTTP.send(
            request(key, "/api/reports/" + reportId + "/artifact").GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private HttpRequest.Builder request(String key, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key);
  }

  /** The county with the most voters. */
  private String county() throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT county FROM voters GROUP BY county ORDER BY count(*) DESC LIMIT 1")) {
      assertThat(rs.next()).as("a seeded county").isTrue();
      return rs.getString(1);
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + pgPort + "/conveyor", "postgres", "");
  }

  private static int indexOfContaining(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no line with '" + text + "' in " + lines);
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
