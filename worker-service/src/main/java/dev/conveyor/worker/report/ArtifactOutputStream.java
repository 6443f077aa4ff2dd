package dev.conveyor.worker.report;

import dev.conveyor.worker.SqlFiles;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Stores what is written to it as the chunks of one artifact ({@code artifact_chunks}, at most
 * {@value #CHUNK_SIZE} bytes a row, in {@code seq} order), through the caller's transaction, while
 * counting the bytes and computing their SHA-256. Holds one chunk in memory. Not thread-safe.
 */
final class ArtifactOutputStream extends OutputStream {

  /** The schema's limit per chunk row (artifact_chunks_data_check). */
  static final int CHUNK_SIZE = 1024 * 1024;

  private static final String INSERT_CHUNK =
      SqlFiles.load(ArtifactOutputStream.class, "insert_artifact_chunk.sql");

  private final JdbcClient jdbc;
  private final UUID artifactId;
  private final MessageDigest sha256;
  private final byte[] buffer = new byte[CHUNK_SIZE];
  private int filled;
  private int seq;
  private long size;
  private boolean closed;

  ArtifactOutputStream(JdbcClient jdbc, UUID artifactId) {
    this.jdbc = jdbc;
    this.artifactId = artifactId;
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
    jdbc.sql(INSERT_CHUNK).param("id", artifactId).param("seq", seq++).param("data", data).update();
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

  /** Bytes stored; final after {@link #close()}. */
  long size() {
    return size;
  }

  /** Lower-case hex SHA-256 of the bytes stored; call once, after {@link #close()}. */
  String sha256() {
    return HexFormat.of().formatHex(sha256.digest());
  }
}
