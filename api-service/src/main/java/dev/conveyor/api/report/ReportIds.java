package dev.conveyor.api.report;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * New report ids: UUID version 7 (RFC 9562), 48 bits of Unix milliseconds then 74 random bits.
 * Time-ordered ids keep inserts at the right edge of the primary key index instead of scattering
 * them across it, and still cannot be guessed.
 */
final class ReportIds {

  // One DRBG per thread: the default SecureRandom on Linux (NativePRNG) serializes every caller in
  // the process on one lock, which concurrent submissions contended for.
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(ReportIds::drbg);

  private ReportIds() {}

  static UUID next() {
    byte[] random = new byte[10];
    RANDOM.get().nextBytes(random);
    long millis = System.currentTimeMillis();
    long msb = (millis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long lsb = 0x8000_0000_0000_0000L | ((random[2] & 0x3FL) << 56);
    for (int i = 3; i < 10; i++) {
      lsb |= (random[i] & 0xFFL) << (8 * (9 - i));
    }
    return new UUID(msb, lsb);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("DRBG is part of every JDK since 9", e);
    }
  }
}
