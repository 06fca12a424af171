package dev.rootlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.JdkTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code run} without a cluster says so at once, naming where it looked, instead of retrying
 * kubernetes.default.svc.
 */
class ClusterConfigTest {
  private static final Path HOME_CONFIG = Path.of("/home/u/.kube/config");

  private static String problem(Map<String, String> env, Set<String> files) {
    return ClusterConfig.problem(env, null, null, HOME_CONFIG, p -> files.contains(p.toString()));
  }

  @Test
  void aKubeconfigAnInClusterAccountOrAMasterIsEnough() {
    assertThat(problem(Map.of(), Set.of(HOME_CONFIG.toString()))).isNull();
    assertThat(problem(Map.of("KUBECONFIG", "/a:/b"), Set.of("/b"))).isNull();
    assertThat(problem(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), Set.of(ClusterConfig.TOKEN))).isNull();
    assertThat(problem(Map.of("KUBERNETES_MASTER", "https://k:6443"), Set.of())).isNull();
  }

  @Test
  void withoutAnyItSaysWhereItLooked() {
    assertThat(problem(Map.of(), Set.of())).isEqualTo("no cluster to run against: no kubeconfig or in-cluster "
        + "config found; looked at KUBECONFIG (not set), /home/u/.kube/config (no such file), an in-cluster config "
        + "(KUBERNETES_SERVICE_HOST not set: not in a pod). Point KUBECONFIG at a kubeconfig (kubectl config view "
        + "--raw shows the current one), or run the operator in the cluster (docs/install.md)");
    assertThat(problem(Map.of("KUBECONFIG", "/etc/k.yaml", "KUBERNETES_SERVICE_HOST", "10.0.0.1"), Set.of()))
        .contains("looked at KUBECONFIG=/etc/k.yaml (no such file), the service account token "
            + ClusterConfig.TOKEN + " (no such file).");
  }

  @Test
  void runExitsAtOnceWithTheReasonAndNoStackTrace() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(JdkTools.tool("java"), "-Duser.home=/nonexistent", "-cp",
        System.getProperty("java.class.path"), "dev.rootlock.Rootlock", "run").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("KUBE"));
    long start = System.nanoTime();
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("no cluster to run against", "/nonexistent/.kube/config (no such file)")
        .doesNotContain("kubernetes.default.svc", "\tat ");
    assertThat(out.lines().count()).isLessThan(5);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }
}
