package dev.conveyor.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Loads the SQL statements kept as {@code .sql} files beside the class that runs them. Callers load
 * into static fields, so a missing file fails the start, not the first request or job.
 */
public final class SqlFiles {

  private SqlFiles() {}

  /**
   * The statement in {@code name}, a resource in {@code owner}'s package.
   *
   * @throws IllegalStateException naming the file when it is missing
   */
  public static String load(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing SQL file " + owner.getPackageName().replace('.', '/') + "/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read SQL file " + name, e);
    }
  }
}
