package dev.rootlock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The image's class-data-sharing step, run here: {@code deploy/Dockerfile} dumps an archive of the
 * classes listed in {@code deploy/rootlock.classlist} from the operator's jar, and the deployed
 * {@code JAVA_TOOL_OPTIONS} map it with {@code -XX:SharedArchiveFile}. The benchmarks start the
 * operator from an archive dumped the same way, and {@code PackagedJarIT} checks that the checked-in
 * list still archives the jar's classes.
 */
public final class ClassDataSharing {
  /** The list the image's archive is dumped from; regenerated as docs/benchmarks.md says. */
  public static final Path CLASS_LIST = Path.of("deploy/rootlock.classlist");

  /**
   * @param exitCode the dumping JVM's exit code (0: the archive was written)
   * @param missing classes the list names that the jar does not hold ({@code dev/rootlock/...} form,
   *     from the JVM's "Preload Warning: Cannot find" lines; JDK proxies named there included)
   * @param log what the dumping JVM printed
   */
  public record Dump(int exitCode, List<String> missing, String log) {}

  private ClassDataSharing() {}

  /**
   * Runs {@code java -Xshare:dump -XX:SharedClassListFile=LIST -XX:SharedArchiveFile=ARCHIVE -cp JAR},
   * the Dockerfile's command, with this JVM's {@code java} and without inherited JAVA_TOOL_OPTIONS.
   *
   * @throws IllegalStateException if the JVM does not finish within two minutes
   */
  public static Dump dump(Path jar, Path classList, Path archive) {
    try {
      Files.createDirectories(archive.toAbsolutePath().getParent());
      Files.deleteIfExists(archive);
      Path log = Files.createTempFile("cds-dump", ".log");
      ProcessBuilder pb = new ProcessBuilder(JdkTools.tool("java"), "-Xshare:dump",
          "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + archive, "-cp", jar.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      Process p = pb.start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("java -Xshare:dump did not finish in 2 minutes; see " + log);
      }
      String out = Files.readString(log);
      Files.delete(log);
      List<String> missing = out.lines().filter(l -> l.contains("Preload Warning: Cannot find "))
          .map(l -> l.substring(l.indexOf("Cannot find ") + "Cannot find ".length()).trim()).toList();
      return new Dump(p.exitValue(), missing, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
