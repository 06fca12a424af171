package dev.rootlock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports for processes the tests start. */
public final class LocalPorts {
  private LocalPorts() {}

  /**
   * A port nothing listens on right now (the kernel's pick, released at once): free to hand to a
   * process, or to point a client at as an address where no server answers.
   */
  public static int free() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
