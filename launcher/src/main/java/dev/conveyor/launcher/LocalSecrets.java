package dev.conveyor.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The two secrets of a local stack, generated on first start and kept in the data folder so that a
 * restart keeps them: the admin API key ({@value #API_KEY_FILE}, handed to the API as {@code
 * CONVEYOR_API_BOOTSTRAP_KEY}) and the callback signing secret ({@value #CALLBACK_SECRET_FILE},
 * shared by the worker and the API). Each file is created owner-only ({@code 0600}) where the file
 * system has POSIX permissions, in the same call that creates it, so it is never readable by others
 * even for a moment.
 *
 * @param apiKey {@code cvk_} followed by 256 random bits in base64url, the API's own key format
 * @param callbackSecret {@code whsec_} followed by 256 random bits in base64 (Standard Webhooks)
 */
record LocalSecrets(String apiKey, String callbackSecret) {

  static final String API_KEY_FILE = "api-key";
  static final String CALLBACK_SECRET_FILE = "callback-secret";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  @Override
  public String toString() {
    return "LocalSecrets[redacted]";
  }

  /** Reads the secrets from {@code dataDir}, creating whichever is missing. */
  static LocalSecrets in(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    return new LocalSecrets(
        readOrCreate(
            dataDir.resolve(API_KEY_FILE),
            () -> "cvk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32))),
        readOrCreate(
            dataDir.resolve(CALLBACK_SECRET_FILE),
            () -> "whsec_" + Base64.getEncoder().encodeToString(random(32))));
  }

  private static String readOrCreate(Path file, Supplier<String> generator) throws IOException {
    if (!Files.exists(file)) {
      try {
        Files.writeString(
            create(file),
            generator.get() + "\n",
            StandardCharsets.US_ASCII,
            StandardOpenOption.APPEND);
      } catch (FileAlreadyExistsException raced) {
        // Another launcher on the same folder wrote it first: use theirs.
      }
    }
    String value = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (value.isEmpty()) {
      throw new IOException(file + " is empty: delete it and a new secret is generated");
    }
    return value;
  }

  private static Path create(Path file) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] attributes =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    // The umask may only remove bits, so rw------- at creation stays rw-------.
    return Files.createFile(file, attributes);
  }

  private static byte[] random(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return value;
  }
}
