package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTests {

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  @Nested
  class WhyNotPublic {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "0.0.0.0 | unspecified",
          "0.1.2.3 | unspecified",
          "127.0.0.1 | loopback",
          "127.255.255.254 | loopback",
          "10.0.0.1 | private (10.0.0.0/8)",
          "10.255.255.255 | private (10.0.0.0/8)",
          "172.16.0.1 | private (172.16.0.0/12)",
          "172.31.255.255 | private (172.16.0.0/12)",
          "192.168.1.1 | private (192.168.0.0/16)",
          "169.254.169.254 | link-local",
          "100.64.0.1 | shared address space",
          "100.127.255.255 | shared address space",
          "192.0.0.8 | IETF protocol assignments",
          "198.18.0.1 | benchmarking",
          "224.0.0.1 | multicast",
          "239.255.255.250 | multicast",
          "240.0.0.1 | reserved",
          "255.255.255.255 | broadcast",
          ":: | unspecified",
          "::1 | loopback",
          "fc00::1 | unique local",
          "fd12:3456:789a::1 | unique local",
          "fe80::1 | link-local",
          "febf:ffff::1 | link-local",
          "fec0::1 | site-local",
          "ff02::1 | multicast",
          "ff05::2 | multicast",
          // The JDK turns IPv4-mapped literals into IPv4 addresses: judged as those.
          "::ffff:127.0.0.1 | loopback",
          "::ffff:10.0.0.1 | private",
          "::ffff:169.254.169.254 | link-local",
          "::127.0.0.1 | IPv4-compatible loopback",
          "::10.1.1.1 | IPv4-compatible private",
          "64:ff9b::7f00:1 | NAT64 loopback",
          "64:ff9b::a9fe:a9fe | NAT64 link-local",
          "2002:7f00:1::1 | 6to4 loopback",
          "2002:c0a8:101::1 | 6to4 private (192.168.0.0/16)",
          // Teredo stores the client address inverted: 127.0.0.1 as 80ff:fffe.
          "2001:0:4136:e378:8000:63bf:80ff:fffe | Teredo loopback",
        })
    void refusesNonPublicAddresses(String literal, String why) {
      assertThat(AddressPolicy.whyNotPublic(ip(literal))).isNotNull().contains(why.strip());
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "1.1.1.1",
          "8.8.8.8",
          "93.184.216.34",
          "100.63.255.255", // just below 100.64/10
          "100.128.0.0", // just above
          "172.15.255.255", // just below 172.16/12
          "172.32.0.0", // just above
          "169.253.255.255",
          "192.169.0.1",
          "11.0.0.1",
          "126.255.255.255",
          "128.0.0.1",
          "223.255.255.255", // the last before multicast
          "2606:4700:4700::1111",
          "2001:4860:4860::8888",
          "2a00:1450:4001:80b::200e",
          "fbff:ffff::1", // just below fc00::/7
          "fe00::1", // between fc00::/7 and fe80::/10
          "::ffff:8.8.8.8",
          "64:ff9b::808:808", // NAT64 of 8.8.8.8
          "2002:808:808::1", // 6to4 of 8.8.8.8
        })
    void allowsPublicAddresses(String literal) {
      assertThat(AddressPolicy.whyNotPublic(ip(literal))).isNull();
    }

    @Test
    void aMappedLiteralIsAnIpv4AddressInTheJdk() {
      // Why no separate byte-level check is needed for addresses the JDK parsed; the table still
      // holds for Inet6Address instances built otherwise (Teredo, NAT64, compatible).
      assertThat(ip("::ffff:127.0.0.1")).isInstanceOf(java.net.Inet4Address.class);
    }
  }

  @Nested
  class Check {

    @Test
    void refusesAHostWhenAnyOfItsAddressesIsNotPublic() {
      AddressPolicy policy = new AddressPolicy(false);
      assertThatThrownBy(
              () ->
                  policy.check(
                      "rebind.example", new InetAddress[] {ip("93.184.216.34"), ip("10.0.0.7")}))
          .isInstanceOf(AddressPolicy.RefusedAddressException.class)
          .hasMessage(
              "callbackUrl host rebind.example resolves to 10.0.0.7, a private (10.0.0.0/8)"
                  + " address; webhooks go to public addresses only"
                  + " (conveyor.worker-service.webhooks.allow-private-addresses=false)");
    }

    @Test
    void refusesLocalhostByWhatItResolvesTo() throws UnknownHostException {
      AddressPolicy policy = new AddressPolicy(false);
      InetAddress[] localhost = InetAddress.getAllByName("localhost");
      assertThatThrownBy(() -> policy.check("localhost", localhost))
          .isInstanceOf(AddressPolicy.RefusedAddressException.class)
          .hasMessageContaining("loopback");
    }

    @Test
    void allowsPublicAddresses() {
      AddressPolicy policy = new AddressPolicy(false);
      assertThatCode(
              () ->
                  policy.check(
                      "example.com",
                      new InetAddress[] {ip("93.184.216.34"), ip("2606:2800:220:1::1")}))
          .doesNotThrowAnyException();
    }

    @Test
    void allowsEverythingWhenPrivateAddressesAreAllowed() {
      AddressPolicy policy = new AddressPolicy(true);
      assertThatCode(
              () -> policy.check("localhost", new InetAddress[] {ip("127.0.0.1"), ip("::1")}))
          .doesNotThrowAnyException();
    }
  }
}
