package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.ClassDataSharing;
import dev.rootlock.testing.JdkTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class-data-sharing step against the jar {@code mvn package} built (this class runs in
 * the verify phase, after the jar exists): deploy/rootlock.classlist still names the jar's classes,
 * the Dockerfile's dump command writes an archive from it, and the operator's JVM maps it and loads
 * its own classes from it. A list gone stale (classes renamed or removed since it was recorded) fails
 * here, with how to record it again, instead of silently shrinking the archive.
 */
class PackagedJarIT {
  static final Path JAR = Path.of("target/rootlock-operator.jar");
  /** Listed Rootlock classes the jar may lack before the list counts as stale. */
  static final double STALE_SHARE = 0.05;

  @Test
  void theClassListArchivesTheJarAndTheOperatorStartsFromTheArchive(@TempDir Path dir) throws Exception {
    assertThat(JAR).as("the jar mvn package builds").exists();
    List<String> listed = Files.readAllLines(ClassDataSharing.CLASS_LIST).stream()
        .filter(l -> l.startsWith("dev/rootlock/")).map(l -> l.split(" ")[0]).toList();
    assertThat(listed).as("Rootlock's classes in " + ClassDataSharing.CLASS_LIST).hasSizeGreaterThan(50);

    Path archive = dir.resolve("rootlock.jsa");
    ClassDataSharing.Dump dump = ClassDataSharing.dump(JAR, ClassDataSharing.CLASS_LIST, archive);
    assertThat(dump.exitCode()).as("java -Xshare:dump exit code; its output:\n" + dump.log()).isZero();
    List<String> gone = dump.missing().stream().filter(c -> c.startsWith("dev/rootlock/")).toList();
    assertThat(gone.size()).as("Rootlock classes listed in " + ClassDataSharing.CLASS_LIST + " but not in the jar: "
        + gone + "; record the list again (docs/benchmarks.md, cold process)")
        .isLessThanOrEqualTo((int) (listed.size() * STALE_SHARE));

    // -Xshare:on: a JVM that cannot map the archive fails instead of starting without it.
    Path out = dir.resolve("help.log");
    ProcessBuilder pb = new ProcessBuilder(JdkTools.tool("java"), "-Xshare:on", "-XX:SharedArchiveFile=" + archive,
        "-Xlog:class+load=info", "-jar", JAR.toString(), "--help").redirectErrorStream(true)
        .redirectOutput(out.toFile());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p = pb.start();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).as("rootlock --help finished").isTrue();
    String log = Files.readString(out);
    assertThat(p.exitValue()).as("rootlock --help with the archive; its output:\n" + log).isZero();
    List<String> ownClasses = log.lines().filter(l -> l.contains(" dev.rootlock.")).toList();
    List<String> notShared = ownClasses.stream().filter(l -> !l.contains("source: shared objects file")).toList();
    assertThat(ownClasses).isNotEmpty();
    assertThat(notShared.size()).as("Rootlock classes --help loaded from the jar, not the archive: " + notShared)
        .isLessThanOrEqualTo(ownClasses.size() / 5);
  }
}
