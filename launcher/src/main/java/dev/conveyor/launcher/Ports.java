package dev.conveyor.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Checks, before starting something, that its loopback port is free. */
final class Ports {

  private Ports() {}

  /**
   * @throws LaunchException naming {@code option} when something already listens on {@code port}
   */
  static void requireFree(int port, String option) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
    } catch (IOException e) {
      throw new LaunchException(
          "port "
              + port
              + " is in use (is Conveyor already running?): stop that or pass "
              + option);
    }
  }
}
