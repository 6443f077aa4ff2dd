package dev.conveyor.api.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.DelegatingServletInputStream;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.transaction.support.TransactionSynchronizationManager;

class UploadTests extends ApiTestBase {

  @Autowired UploadController uploads;

  @Test
  void uploadIsStoredInChunksWithSizeAndHash() throws Exception {
    Api client = newClient();
    // Over one 1 MiB chunk would need a bigger limit; the test context allows 256 KB, so check
    // the bytes and hash of a multi-kilobyte file.
    byte[] csv =
        ("state_voter_id,last_name\n" + "NY1,Doe\n".repeat(10_000))
            .getBytes(StandardCharsets.UTF_8);

    Api.Response r = client.postChunked("/api/uploads?filename=kings.csv", "text/csv", csv);

    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.json().get("sizeBytes").asLong()).isEqualTo(csv.length);
    assertThat(r.json().get("sha256").asString())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(csv)));
    byte[] stored =
        jdbc.sql(
                "SELECT string_agg(data, ''::bytea ORDER BY seq) FROM artifact_chunks"
                    + " WHERE artifact_id = CAST(:id AS uuid)")
            .param("id", r.json().get("uploadId").asString())
            .query(byte[].class)
            .single();
    assertThat(stored).isEqualTo(csv);
  }

  /**
   * A raw body arrives at the client's pace; it must not be read inside the transaction that stores
   * it (that would hold a pooled connection and an open transaction for as long as a slow client
   * takes). The request's stream records, at every read, whether a transaction is open on the
   * reading thread.
   */
  @Test
  void aRawUploadIsReadBeforeAnyTransactionOpens() throws Exception {
    Api client = newClient();
    byte[] csv = "state_voter_id,last_name\nNY1,Doe\n".getBytes(StandardCharsets.UTF_8);
    List<Boolean> inTransaction = new ArrayList<>();
    MockHttpServletRequest request =
        new MockHttpServletRequest() {
          @Override
          public ServletInputStream getInputStream() {
            InputStream body = new ByteArrayInputStream(csv);
            return new DelegatingServletInputStream(
                new FilterInputStream(body) {
                  @Override
                  public int read() throws IOException {
                    inTransaction.add(
                        TransactionSynchronizationManager.isActualTransactionActive());
                    return super.read();
                  }

                  @Override
                  public int read(byte[] b, int off, int len) throws IOException {
                    inTransaction.add(
                        TransactionSynchronizationManager.isActualTransactionActive());
                    return super.read(b, off, len);
                  }
                });
          }
        };

    var response =
        uploads.upload(new Caller(client.clientId(), "t", Role.CLIENT), "slow.csv", request);

    assertThat(response.getStatusCode().value()).isEqualTo(201);
    assertThat(response.getBody().sizeBytes()).isEqualTo(csv.length);
    assertThat(inTransaction).isNotEmpty().containsOnly(false);
  }

  @Test
  void uploadOverTheLimitIs413AndStoresNothing() {
    Api client = newClient();
    byte[] big = new byte[300 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');

    Api.Response declared =
        client.post(
            "/api/uploads",
            new String(big, StandardCharsets.US_ASCII),
            Map.of("Content-Type", "text/csv"));
    Api.Response chunked = client.postChunked("/api/uploads", "text/csv", big);

    assertProblem(declared, ProblemType.PAYLOAD_TOO_LARGE);
    assertProblem(chunked, ProblemType.PAYLOAD_TOO_LARGE);
    assertThat(artifactsOf(client)).isZero();
  }

  @Test
  void badFilenameIs400AndOtherContentTypesAre415() {
    Api client = newClient();

    Api.Response bad =
        client.post("/api/uploads?filename=../etc/passwd", "a", Map.of("Content-Type", "text/csv"));
    Api.Response json = client.post("/api/uploads", "{}");

    assertProblem(bad, ProblemType.BAD_REQUEST);
    assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("filename");
    assertProblem(json, ProblemType.UNSUPPORTED_MEDIA_TYPE);
  }

  @Test
  void multipartFormUploadIsStoredWithASafeName() throws Exception {
    Api client = newClient();
    byte[] csv =
        "state_voter_id,last_name\nNY1,Doe\n".repeat(2_000).getBytes(StandardCharsets.UTF_8);

    Api.Response r =
        client.postChunked(
            "/api/uploads",
            "multipart/form-data; boundary=" + BOUNDARY,
            form("file", "C:\\Users\\ann\\Kings voters (1).csv", csv));

    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.json().get("filename").asString()).isEqualTo("Kings voters _1_.csv");
    assertThat(r.json().get("sizeBytes").asLong()).isEqualTo(csv.length);
    assertThat(r.json().get("sha256").asString())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(csv)));
  }

  @Test
  void multipartWithoutTheFilePartIs400NamingItAndAnOversizedOneIs413() {
    Api client = newClient();
    byte[] big = new byte[300 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');

    Api.Response missing =
        client.postChunked(
            "/api/uploads",
            "multipart/form-data; boundary=" + BOUNDARY,
            form("other", "x.csv", "a,b\n".getBytes(StandardCharsets.UTF_8)));
    Api.Response tooBig =
        client.postChunked(
            "/api/uploads",
            "multipart/form-data; boundary=" + BOUNDARY,
            form("file", "big.csv", big));

    assertProblem(missing, ProblemType.BAD_REQUEST);
    assertThat(missing.json().get("errors").findValuesAsString("field")).containsExactly("file");
    assertProblem(tooBig, ProblemType.PAYLOAD_TOO_LARGE);
    assertThat(artifactsOf(client)).isZero();
  }

  /**
   * Tomcat parses a multipart body itself, up to the upload limit and past the counting wrapper of
   * the JSON limit; on any other path it must be refused before it is read, key or not.
   */
  @Test
  void multipartBodiesAreRefusedUnreadOutsideUploads() {
    Api client = newClient();
    byte[] big = new byte[300 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');
    byte[] body = form("file", "big.csv", big);
    String type = "multipart/form-data; boundary=" + BOUNDARY;

    for (Api.Response r :
        java.util.List.of(
            anonymous.postChunked("/internal/report-events", type, body),
            anonymous.postChunked("/actuator/health", type, body),
            anonymous.postChunked("/", type, body),
            client.postChunked("/api/reports", type, body))) {
      assertProblem(r, ProblemType.UNSUPPORTED_MEDIA_TYPE);
      assertThat(r.json().get("detail").asString()).contains("/api/uploads");
    }
  }

  private static final String BOUNDARY = "conveyor-test-boundary-7f3a";

  private static byte[] form(String part, String filename, byte[] content) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    String head =
        "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                .formatted(BOUNDARY, part, filename)
            + "Content-Type: text/csv\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
