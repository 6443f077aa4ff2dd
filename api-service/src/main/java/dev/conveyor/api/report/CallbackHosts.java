package dev.conveyor.api.report;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The API's first check of a {@code callbackUrl} host: {@code localhost} names and IP literals of
 * non-public addresses (loopback, unspecified, private, shared/CGNAT, link-local, site-local,
 * unique local, multicast) are refused at submission. Host names are not resolved here: the answer
 * could change before delivery, so the worker checks the addresses it actually connects to and is
 * the authority (worker-service {@code AddressPolicy}, which also knows the IPv6 tunnel forms).
 */
final class CallbackHosts {

  private CallbackHosts() {}

  /** False when {@code host} (as {@link java.net.URI#getHost()} gives it) is known not public. */
  static boolean mayBePublic(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      return false;
    }
    InetAddress address;
    if (name.startsWith("[")) {
      try {
        // A bracketed IPv6 literal: parsed, never looked up.
        address = InetAddress.getByName(name);
      } catch (UnknownHostException e) {
        return false;
      }
    } else if (name.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
      // No DNS name is all digits: a plain dotted quad, or refused (the JDK would read
      // "2130706433" or "127.1" as 127.0.0.1, and leading zeros are read as octal elsewhere).
      address = dottedQuad(name);
      if (address == null) {
        return false;
      }
    } else {
      return true;
    }
    byte[] b = address.getAddress();
    boolean special =
        address.isAnyLocalAddress()
            || address.isLoopbackAddress()
            || address.isLinkLocalAddress()
            || address.isSiteLocalAddress()
            || address.isMulticastAddress();
    if (address instanceof Inet6Address) {
      return !special && (b[0] & 0xfe) != 0xfc; // fc00::/7, unique local
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    return !special
        && first != 0 // 0.0.0.0/8
        && !(first == 100 && (second & 0xc0) == 64) // 100.64.0.0/10, shared (CGNAT)
        && first < 240; // reserved and broadcast
  }

  private static @Nullable InetAddress dottedQuad(String name) {
    String[] parts = name.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return null;
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }
}
