package dev.conveyor.api.report;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * New report ids: UUID version 7 (RFC 9562), 48 bits of Unix milliseconds then 74 random bits.
 * Time-ordered ids keep inserts at the right edge of the primary key index instead of scattering
 * them across it, and still cannot be guessed.
 */
final class ReportIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private ReportIds() {}

  static UUID next() {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long millis = System.currentTimeMillis();
    long msb = (millis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long lsb = 0x8000_0000_0000_0000L | ((random[2] & 0x3FL) << 56);
    for (int i = 3; i < 10; i++) {
      lsb |= (random[i] & 0xFFL) << (8 * (9 - i));
    }
    return new UUID(msb, lsb);
  }
}
