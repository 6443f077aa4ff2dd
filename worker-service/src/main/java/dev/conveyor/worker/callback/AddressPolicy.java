package dev.conveyor.worker.callback;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which addresses a client webhook may be sent to: by default only public ones, so that a client
 * cannot make the worker POST into the network it runs in (SSRF). Refused: loopback, unspecified,
 * private (RFC 1918), shared/CGNAT (100.64.0.0/10), link-local, unique local (fc00::/7), site-local
 * (fec0::/10), multicast, broadcast and the reserved 0.0.0.0/8 and 240.0.0.0/4, and the same
 * addresses embedded in IPv6 (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16,
 * Teredo 2001::/32). With {@code allowPrivate} (local development) every address is allowed.
 * Thread-safe.
 */
record AddressPolicy(boolean allowPrivate) {

  /** A range that is refused, and why, for the error message. */
  private record Range(byte[] prefix, int bits, String why) {

    static Range of(String cidr, String why) {
      String[] parts = cidr.split("/");
      return new Range(literal(parts[0]).getAddress(), Integer.parseInt(parts[1]), why);
    }

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int full = bits / 8;
      if (!Arrays.equals(address, 0, full, prefix, 0, full)) {
        return false;
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (prefix[full] & mask);
    }
  }

  private static final List<Range> REFUSED =
      List.of(
          Range.of("0.0.0.0/8", "unspecified (0.0.0.0/8)"),
          Range.of("10.0.0.0/8", "private (10.0.0.0/8)"),
          Range.of("100.64.0.0/10", "shared address space (100.64.0.0/10)"),
          Range.of("127.0.0.0/8", "loopback"),
          Range.of("169.254.0.0/16", "link-local"),
          Range.of("172.16.0.0/12", "private (172.16.0.0/12)"),
          Range.of("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
          Range.of("192.168.0.0/16", "private (192.168.0.0/16)"),
          Range.of("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
          Range.of("224.0.0.0/4", "multicast"),
          Range.of("240.0.0.0/4", "reserved (240.0.0.0/4) or broadcast"),
          Range.of("::/128", "unspecified"),
          Range.of("::1/128", "loopback"),
          Range.of("fc00::/7", "unique local (fc00::/7)"),
          Range.of("fe80::/10", "link-local"),
          Range.of("fec0::/10", "site-local (fec0::/10)"),
          Range.of("ff00::/8", "multicast"));

  private static final byte[] NAT64 = literal("64:ff9b::").getAddress();

  /**
   * Why {@code address} is not a public address, or {@code null} if it is. IPv4 addresses embedded
   * in IPv6 ones are judged as IPv4 ("IPv4-mapped loopback").
   */
  static @Nullable String whyNotPublic(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Range range : REFUSED) {
      if (range.contains(bytes)) {
        return range.why();
      }
    }
    if (address instanceof Inet6Address) {
      Embedded embedded = embeddedIpv4(bytes);
      if (embedded != null) {
        String why = whyNotPublic(embedded.address());
        return why == null ? null : embedded.form() + " " + why;
      }
    }
    return null;
  }

  private record Embedded(String form, Inet4Address address) {}

  /** The IPv4 address an IPv6 address carries by one of the transition mechanisms, if any. */
  private static @Nullable Embedded embeddedIpv4(byte[] v6) {
    if (isZero(v6, 0, 10) && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff) {
      return new Embedded("IPv4-mapped", ipv4(v6, 12, 0));
    }
    if (isZero(v6, 0, 12)) {
      // :: and ::1 are caught by the table before this.
      return new Embedded("IPv4-compatible", ipv4(v6, 12, 0));
    }
    if (Arrays.equals(v6, 0, 12, NAT64, 0, 12)) {
      return new Embedded("NAT64", ipv4(v6, 12, 0));
    }
    if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
      return new Embedded("6to4", ipv4(v6, 2, 0));
    }
    if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x01 && v6[2] == 0 && v6[3] == 0) {
      // Teredo: the client's address is stored inverted in the last 32 bits (RFC 4380).
      return new Embedded("Teredo", ipv4(v6, 12, 0xff));
    }
    return null;
  }

  private static boolean isZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static Inet4Address ipv4(byte[] bytes, int offset, int xor) {
    byte[] v4 = new byte[4];
    for (int i = 0; i < 4; i++) {
      v4[i] = (byte) (bytes[offset + i] ^ xor);
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }

  private static InetAddress literal(String ip) {
    try {
      // A literal: no lookup happens.
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  /**
   * Checks every address {@code host} resolved to: one refused address refuses the host, since the
   * connection may go to any of them.
   *
   * @throws RefusedAddressException naming the host, the address and why
   */
  void check(String host, InetAddress[] addresses) throws RefusedAddressException {
    if (allowPrivate) {
      return;
    }
    for (InetAddress address : addresses) {
      String why = whyNotPublic(address);
      if (why != null) {
        throw new RefusedAddressException(host, address, why);
      }
    }
  }

  /** A webhook host that resolves to an address the policy refuses. */
  static final class RefusedAddressException extends UnknownHostException {

    RefusedAddressException(String host, InetAddress address, String why) {
      super(
          "callbackUrl host "
              + host
              + " resolves to "
              + address.getHostAddress()
              + ", a "
              + why
              + " address; webhooks go to public addresses only"
              + " (conveyor.worker-service.webhooks.allow-private-addresses=false)");
    }
  }
}
