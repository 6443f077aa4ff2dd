package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallbackHostsTests {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "LOCALHOST",
        "localhost.",
        "api.localhost",
        "127.0.0.1",
        "127.1.2.3",
        "2130706433", // 127.0.0.1 as one number
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "172.31.255.255",
        "192.168.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "169.254.169.254",
        "224.0.0.1",
        "255.255.255.255",
        "[::1]",
        "[::]",
        "[fe80::1]",
        "[fc00::1]",
        "[fd00:ec2::254]",
        "[ff02::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "999.1.1.1", // not an address at all
        "127.1", // 127.0.0.1 to the JDK
        "010.0.0.1", // octal to some parsers
      })
  void refusesLocalhostAndNonPublicLiterals(String host) {
    assertThat(CallbackHosts.mayBePublic(host)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "client.example",
        "hooks.acme.com",
        "localhost.example.com",
        "8.8.8.8",
        "100.63.255.255",
        "100.128.0.1",
        "172.32.0.1",
        "[2606:4700:4700::1111]",
        "[::ffff:8.8.8.8]",
        "10.example", // a name, resolved (and checked) only by the worker
      })
  void letsPublicLiteralsAndHostNamesThrough(String host) {
    assertThat(CallbackHosts.mayBePublic(host)).isTrue();
  }
}
