package dev.rootlock.e2e;

import dev.rootlock.testing.LocalPorts;
import dev.rootlock.testing.TokenKubeconfig;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Rootlock installed the way a user installs it — {@code kubectl apply --server-side -k crds/} and
 * {@code -k deploy/} — once per test JVM, then adapted to a run outside the cluster:
 *
 * <ul>
 *   <li>The operator Deployment from deploy/ rolls out (on KWOK nodes its pods become Ready with
 *       no process in them: its image is not built or pulled here) and is then scaled to 0; the
 *       operator that works is the packaged jar, run by {@link OperatorProcess} with the token of
 *       deploy/'s ServiceAccount, so RBAC is exactly deploy/'s.
 *   <li>The webhook configuration's {@code clientConfig} is changed from the Service to a {@code
 *       url} on 127.0.0.1 (no Service can point at loopback), where the operator serves with a
 *       certificate it issues for {@code --webhook-host 127.0.0.1}; the operator writes the
 *       caBundle itself, as in a cluster.
 * </ul>
 */
public final class Installation {
  public static final String NAMESPACE = "rootlock-system";
  /** The ServiceAccount of deploy/, and the name of its ClusterRole and of its leader-election Lease. */
  public static final String SERVICE_ACCOUNT = "rootlock-operator";
  /** The MutatingWebhookConfiguration of deploy/. */
  public static final String WEBHOOK = "rootlock-webhook";
  /** The port the webhook configuration's url names; the operator that serves the webhook listens there. */
  static final int WEBHOOK_PORT = LocalPorts.free();

  private static Installation current;

  private final E2ECluster cluster;
  private final Path operatorKubeconfig;

  private Installation(E2ECluster cluster, Path operatorKubeconfig) {
    this.cluster = cluster;
    this.operatorKubeconfig = operatorKubeconfig;
  }

  /** Rootlock installed in the suite's cluster (installed on first use). */
  public static synchronized Installation get() {
    if (current == null) {
      current = install(E2ECluster.get());
    }
    return current;
  }

  private static Installation install(E2ECluster cluster) {
    // --force-conflicts: the chart's E2E classes ran first and left the CRD owned by helm (Helm never
    // deletes CRDs); a user moving from the chart to deploy/ takes it over the same way
    cluster.kubectlOk("apply", "--server-side", "--force-conflicts", "--field-manager=e2e-install", "-k", "crds/");
    cluster.awaitEstablished("readonlypolicies.rootlock.dev");
    // an earlier run on this cluster left the configuration pointing at a url; deploy/ names the
    // Service, and a client config may not have both
    cluster.kubectlOk("delete", "mutatingwebhookconfiguration", WEBHOOK, "--ignore-not-found");
    cluster.kubectlOk("apply", "--server-side", "--field-manager=e2e-install", "-k", "deploy/");
    cluster.kubectlOk("-n", NAMESPACE, "rollout", "status", "deployment/rootlock-operator", "--timeout=120s");
    cluster.kubectlOk("-n", NAMESPACE, "scale", "deployment/rootlock-operator", "--replicas=0");
    cluster.kubectlOk("patch", "mutatingwebhookconfiguration", WEBHOOK, "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:"
            + WEBHOOK_PORT + "/mutate\"}}]");
    return new Installation(cluster, tokenKubeconfig(cluster, SERVICE_ACCOUNT, Path.of("target/e2e/operator.kubeconfig")));
  }

  /**
   * Writes to {@code file} a kubeconfig for the API server of {@code cluster} with a TokenRequest
   * token (4 h) of the ServiceAccount {@code serviceAccount} in Rootlock's namespace.
   */
  public static Path tokenKubeconfig(E2ECluster cluster, String serviceAccount, Path file) {
    String token = cluster.kubectlOk("-n", NAMESPACE, "create", "token", serviceAccount, "--duration=4h").strip();
    try {
      var admin = KubeConfigUtils.parseConfigFromString(Files.readString(cluster.kubeconfig()));
      String context = admin.getCurrentContext();
      String clusterName = admin.getContexts().stream().filter(c -> c.getName().equals(context)).findFirst()
          .orElseThrow().getContext().getCluster();
      NamedCluster named = admin.getClusters().stream().filter(c -> c.getName().equals(clusterName)).findFirst()
          .orElseThrow();
      String server = named.getCluster().getServer();
      String ca = named.getCluster().getCertificateAuthorityData();
      if (ca == null && named.getCluster().getCertificateAuthority() != null) {
        Path caFile = cluster.kubeconfig().resolveSibling(named.getCluster().getCertificateAuthority());
        ca = Base64.getEncoder().encodeToString(Files.readAllBytes(caFile));
      }
      String kubeconfig = TokenKubeconfig.of(server, ca, token, NAMESPACE);
      Files.createDirectories(file.getParent());
      Files.writeString(file, kubeconfig);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public E2ECluster cluster() {
    return cluster;
  }

  /** The kubeconfig the operator process runs with: deploy/'s ServiceAccount, nothing more. */
  public Path operatorKubeconfig() {
    return operatorKubeconfig;
  }

  /** The user the API server sees for the operator's requests (as in its audit log). */
  public static String operatorUser() {
    return "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;
  }
}
