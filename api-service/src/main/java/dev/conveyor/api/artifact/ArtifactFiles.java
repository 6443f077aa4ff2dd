package dev.conveyor.api.artifact;

import dev.conveyor.api.storage.ClientStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads and writes files kept in PostgreSQL. Metadata goes through JPA; the chunks through JDBC,
 * one row of at most {@value #CHUNK_BYTES} bytes at a time, so neither a download nor an upload
 * ever holds more than a chunk in memory.
 */
@Service
public class ArtifactFiles {

  static final int CHUNK_BYTES = 1 << 20;

  // The first chunk after a position. Index: artifact_chunks_pkey (artifact_id, seq). No locks.
  private static final String NEXT_CHUNK =
      "SELECT seq, data FROM artifact_chunks WHERE artifact_id = :id AND seq > :after"
          + " ORDER BY seq LIMIT 1";
  // One chunk of an artifact being written in the caller's transaction.
  private static final String INSERT_CHUNK =
      "INSERT INTO artifact_chunks (artifact_id, seq, data) VALUES (:id, :seq, :data)";

  private final ArtifactRepository artifacts;
  private final DataSource dataSource;
  private final JdbcClient jdbc;
  private final ClientStorage storage;

  ArtifactFiles(ArtifactRepository artifacts, DataSource dataSource, ClientStorage storage) {
    this.artifacts = artifacts;
    this.dataSource = dataSource;
    this.jdbc = JdbcClient.create(dataSource);
    this.storage = storage;
  }

  /** The file's metadata; joins the caller's transaction, else runs without one. */
  public Optional<ArtifactInfo> find(UUID id) {
    return artifacts.findById(id).map(Artifact::info);
  }

  /**
   * The report's stored file, if its worker marked one stored (in the transaction that completed
   * the report's job); joins the caller's transaction.
   */
  public Optional<ArtifactInfo> findStoredFor(UUID reportId) {
    return artifacts.findStoredIdFor(reportId).flatMap(this::find);
  }

  /**
   * Writes the file's bytes to {@code out}, chunk by chunk, so memory stays at one chunk. Each
   * chunk is read by its own statement, and no connection is held while {@code out} is written: the
   * client reads at its own pace, and a slow one must not keep a pooled connection (chunks never
   * change once written, so reading them one by one sees the same file).
   */
  public void copyTo(UUID id, OutputStream out) throws IOException {
    int after = -1;
    while (true) {
      Optional<Chunk> chunk =
          jdbc.sql(NEXT_CHUNK)
              .param("id", id)
              .param("after", after)
              .query((rs, row) -> new Chunk(rs.getInt(1), rs.getBytes(2)))
              .optional();
      if (chunk.isEmpty()) {
        return;
      }
      out.write(chunk.get().data());
      after = chunk.get().seq();
    }
  }

  private record Chunk(int seq, byte[] data) {}

  /**
   * Stores a client upload of {@code size} bytes (already spooled, so known); returns its metadata
   * (size and SHA-256 computed while storing). First makes room for it in the client's storage
   * quota, which holds the client's count locked until this transaction ends. A failure while
   * reading the body (the client went away, the size limit) rolls everything back: an IOException
   * is checked, so it must be named for the rollback.
   *
   * @throws dev.conveyor.api.web.ApiException 413 when the upload would exceed the client's quota
   */
  @Transactional(rollbackFor = IOException.class)
  public ArtifactInfo storeUpload(
      long ownerId, String filename, String contentType, long size, InputStream content)
      throws IOException {
    storage.reserve(ownerId, size);
    Artifact artifact =
        artifacts.saveAndFlush(
            new Artifact(UUID.randomUUID(), ownerId, "upload", filename, contentType));
    MessageDigest sha = sha256();
    long written = 0;
    try (InputStream in = new DigestInputStream(content, sha)) {
      int seq = 0;
      byte[] chunk;
      while ((chunk = in.readNBytes(CHUNK_BYTES)).length > 0) {
        jdbc.sql(INSERT_CHUNK)
            .param("id", artifact.getId())
            .param("seq", seq++)
            .param("data", chunk)
            .update();
        written += chunk.length;
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    artifact.contentWritten(written, HexFormat.of().formatHex(sha.digest()));
    return artifact.info();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
