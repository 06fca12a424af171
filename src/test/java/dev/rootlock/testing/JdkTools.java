package dev.rootlock.testing;

import java.nio.file.Path;

/** The JDK's command-line tools of the JVM running the tests, for tests that start processes. */
public final class JdkTools {
  private JdkTools() {}

  /** The path of {@code name} ({@code java}, {@code jcmd}) in this JVM's {@code bin} directory. */
  public static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }
}
