package dev.rootlock.bench;

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
 * count. Extra arguments (a profiler, a flag
 * to try) go on the operator's command line only: the floor always runs as deployed.
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
    Arrays.stream(options.trim().split("\\s+")).filter(f -> !f.startsWith("-XX:MaxRAMPercentage")).forEach(flags::add);
    return flags;
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
