package dev.rootlock.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Whether {@code run} has a cluster to talk to, checked where fabric8's {@code Config.autoConfigure}
 * looks, before it is asked: without any, fabric8 falls back to {@code https://kubernetes.default.svc/}
 * and the operator spends its start-up timeout retrying a host that does not exist.
 */
final class ClusterConfig {
  static final String TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

  private ClusterConfig() {}

  /** Null when a kubeconfig, an in-cluster service account or an explicit master is there; else where it looked. */
  static String problem() {
    return problem(System.getenv(), System.getProperty("kubeconfig"), System.getProperty("kubernetes.master"),
        Path.of(System.getProperty("user.home"), ".kube", "config"), Files::isRegularFile);
  }

  /**
   * @param kubeconfigProperty the {@code kubeconfig} system property, or null
   * @param masterProperty the {@code kubernetes.master} system property, or null
   * @param defaultKubeconfig {@code ~/.kube/config}
   */
  static String problem(Map<String, String> env, String kubeconfigProperty, String masterProperty,
      Path defaultKubeconfig, Predicate<Path> exists) {
    if (masterProperty != null || env.get("KUBERNETES_MASTER") != null) {
      return null;
    }
    List<String> looked = new ArrayList<>();
    String files = kubeconfigProperty != null ? kubeconfigProperty : env.get("KUBECONFIG");
    String from = kubeconfigProperty != null ? "-Dkubeconfig" : "KUBECONFIG";
    if (files != null && !files.isBlank()) {
      for (String f : files.split(java.io.File.pathSeparator)) {
        if (!f.isBlank() && exists.test(Path.of(f))) {
          return null;
        }
      }
      looked.add(from + "=" + files + " (no such file)");
    } else {
      if (exists.test(defaultKubeconfig)) {
        return null;
      }
      looked.add("KUBECONFIG (not set)");
      looked.add(defaultKubeconfig + " (no such file)");
    }
    boolean host = env.get("KUBERNETES_SERVICE_HOST") != null;
    if (host && exists.test(Path.of(TOKEN))) {
      return null;
    }
    looked.add(host ? "the service account token " + TOKEN + " (no such file)"
        : "an in-cluster config (KUBERNETES_SERVICE_HOST not set: not in a pod)");
    return "no cluster to run against: no kubeconfig or in-cluster config found; looked at " + String.join(", ",
        looked) + ". Point KUBECONFIG at a kubeconfig (kubectl config view --raw shows the current one), or run "
        + "the operator in the cluster (docs/install.md)";
  }
}
