package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import java.io.InputStream;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads a stored file back from {@code artifact_chunks}, one chunk (at most 1 MiB) at a time
 * through the caller's transaction, so memory stays bounded whatever the file's size. Counts the
 * bytes handed out ({@link #position()}). Not thread-safe.
 */
final class UploadInputStream extends InputStream {

  private static final String SELECT_CHUNK =
      SqlFiles.load(UploadInputStream.class, "select_artifact_chunk.sql");

  private final JdbcClient jdbc;
  private final UUID artifactId;
  private byte[] chunk = new byte[0];
  private int offset;
  private int seq;
  private long position;
  private boolean ended;

  UploadInputStream(JdbcClient jdbc, UUID artifactId) {
    this.jdbc = jdbc;
    this.artifactId = artifactId;
  }

  @Override
  public int read() {
    if (!fill()) {
      return -1;
    }
    position++;
    return chunk[offset++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, chunk.length - offset);
    System.arraycopy(chunk, offset, b, off, n);
    offset += n;
    position += n;
    return n;
  }

  /** Bytes read so far. */
  long position() {
    return position;
  }

  /** Makes sure there is an unread byte in {@code chunk}; false at the end of the file. */
  private boolean fill() {
    while (offset == chunk.length) {
      if (ended) {
        return false;
      }
      var next =
          jdbc.sql(SELECT_CHUNK)
              .param("id", artifactId)
              .param("seq", seq++)
              .query(byte[].class)
              .optional();
      if (next.isEmpty()) {
        ended = true;
        return false;
      }
      chunk = next.get();
      offset = 0;
    }
    return true;
  }
}
