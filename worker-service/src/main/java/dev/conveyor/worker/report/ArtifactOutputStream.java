package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.LeaseLostException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores what is written to it as the chunks of one artifact ({@code artifact_chunks}, at most
 * {@value #CHUNK_SIZE} bytes a row, in {@code seq} order), each chunk in a short transaction of its
 * own, fenced by the writing attempt's lease token (a chunk insert that finds the attempt no longer
 * holding the job throws {@link LeaseLostException}), while counting the bytes and computing their
 * SHA-256. Holds one chunk in memory. Not thread-safe.
 */
final class ArtifactOutputStream extends OutputStream {

  /** The schema's limit per chunk row (artifact_chunks_data_check). */
  static final int CHUNK_SIZE = 1024 * 1024;

  private static final String INSERT_CHUNK =
      SqlFiles.load(ArtifactOutputStream.class, "insert_artifact_chunk.sql");

  private final JdbcClient jdbc;
  private final TransactionTemplate ownTransaction;
  private final UUID artifactId;
  private final long jobId;
  private final MessageDigest sha256;
  private final byte[] buffer = new byte[CHUNK_SIZE];
  private int filled;
  private int seq;
  private long size;
  private boolean closed;

  /**
   * @param ownTransaction a transaction of its own per chunk ({@code REQUIRES_NEW})
   */
  ArtifactOutputStream(
      JdbcClient jdbc, TransactionTemplate ownTransaction, UUID artifactId, long jobId) {
    this.jdbc = jdbc;
    this.ownTransaction = ownTransaction;
    this.artifactId = artifactId;
    this.jobId = jobId;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void write(int b) {
    if (filled == CHUNK_SIZE) {
      storeChunk();
    }
    buffer[filled++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    while (len > 0) {
      if (filled == CHUNK_SIZE) {
        storeChunk();
      }
      int n = Math.min(len, CHUNK_SIZE - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  private void storeChunk() {
    byte[] data = filled == CHUNK_SIZE ? buffer.clone() : java.util.Arrays.copyOf(buffer, filled);
    sha256.update(data);
    size += data.length;
    int chunk = seq++;
    Integer inserted =
        ownTransaction.execute(
            s ->
                jdbc.sql(INSERT_CHUNK)
                    .param("id", artifactId)
                    .param("seq", chunk)
                    .param("data", data)
                    .update());
    if (inserted == null || inserted == 0) {
      throw new LeaseLostException(jobId);
    }
    filled = 0;
  }

  /** Stores the last, partial chunk. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (filled > 0) {
        storeChunk();
      }
    }
  }

  UUID artifactId() {
    return artifactId;
  }

  /** Bytes stored; final after {@link #close()}. */
  long size() {
    return size;
  }

  /** Lower-case hex SHA-256 of the bytes stored; call once, after {@link #close()}. */
  String sha256() {
    return HexFormat.of().formatHex(sha256.digest());
  }
}
