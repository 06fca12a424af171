package dev.rootlock.bench;

import dev.rootlock.testing.ClassDataSharing;
import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the benchmark starts the operator's JVM (and the floor's, alike): the flags deploy/operator.yaml
 * sets in JAVA_TOOL_OPTIONS, read from that file so that the benchmark runs what is deployed, except
 * -XX:MaxRAMPercentage, which outside a container would size the heap from the whole machine: it is
 * replaced by the heap it gives under the pod's memory limit, and the JVM is told the pod's CPU
 * count. The image's class-data-sharing archive ({@code -XX:SharedArchiveFile}) is dumped here as
 * the Dockerfile dumps it ({@link ClassDataSharing}), from the jar the benchmark starts, and the
 * flag names that copy; the floor maps it too (its class path starts with the same jar). Extra
 * arguments (a profiler, a flag to try) go on the operator's command line only: the floor always
 * runs as deployed.
 *
 * @param flags JAVA_TOOL_OPTIONS, as deployed apart from the heap size
 * @param extraArguments JVM arguments added on the command line ({@code -Dbench.jvm="..."})
 */
record OperatorJvm(List<String> flags, List<String> extraArguments) {
  static final Path DEPLOYMENT = Path.of("deploy/operator.yaml");
  /** -XX:MaxRAMPercentage=60 of the 512Mi limit in deploy/operator.yaml. */
  static final String POD_HEAP = "-Xmx307m";
  /**
   * The CPU count the JVM sees under the pod's limit of 1 CPU: it sizes the GC (Serial with one
   * CPU), the compiler threads and the common pool from it, so outside a container the operator
   * would otherwise run with other collectors and pools than in its pod.
   */
  static final String POD_CPUS = "-XX:ActiveProcessorCount=1";
  static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";
  /** Where the benchmark dumps its copy of the image's archive. */
  static final Path ARCHIVE = Path.of("target/bench/rootlock.jsa");

  static OperatorJvm fromSystemProperties() {
    String extra = System.getProperty("bench.jvm", "").trim();
    return new OperatorJvm(deployedFlags(), extra.isEmpty() ? List.of() : Arrays.asList(extra.split("\\s+")));
  }

  /**
   * JAVA_TOOL_OPTIONS of the operator container, with the heap sized as in the pod;
   * {@code -Dbench.deployFlags="..."} stands in for the file's value, to try a change before making it.
   */
  static List<String> deployedFlags() {
    String options = System.getProperty("bench.deployFlags", "").isBlank() ? fromDeployment()
        : System.getProperty("bench.deployFlags");
    List<String> flags = new ArrayList<>();
    flags.add(POD_HEAP);
    flags.add(POD_CPUS);
    for (String f : options.trim().split("\\s+")) {
      if (f.startsWith(SHARED_ARCHIVE)) {
        flags.add(SHARED_ARCHIVE + dumpArchive());
      } else if (!f.startsWith("-XX:MaxRAMPercentage")) {
        flags.add(f);
      }
    }
    return flags;
  }

  /** The Dockerfile's archive, dumped from {@link ClassDataSharing#CLASS_LIST} and the jar the benchmark runs. */
  private static Path dumpArchive() {
    ClassDataSharing.Dump dump = ClassDataSharing.dump(ColdProcessBenchmark.JAR, ClassDataSharing.CLASS_LIST, ARCHIVE);
    if (dump.exitCode() != 0) {
      throw new IllegalStateException("java -Xshare:dump failed (" + dump.exitCode() + "):\n" + dump.log());
    }
    System.out.println("class-data-sharing archive " + ARCHIVE + " dumped from " + ClassDataSharing.CLASS_LIST + " ("
        + dump.missing().size() + " listed classes not in the jar)");
    return ARCHIVE;
  }

  private static String fromDeployment() {
    String yaml;
    try {
      yaml = Files.readString(DEPLOYMENT).split("\n---\n")[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Deployment d = Manifests.parse(yaml, Deployment.class);
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue();
  }

  Map<String, String> environment(Path kubeconfig) {
    return Map.of("KUBECONFIG", kubeconfig.toAbsolutePath().toString(), "JAVA_TOOL_OPTIONS", String.join(" ", flags));
  }

  String describe() {
    return "JAVA_TOOL_OPTIONS=\"" + String.join(" ", flags) + "\"" + (extraArguments.isEmpty() ? ""
        : "; the operator's also " + String.join(" ", extraArguments));
  }
}
