package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real API server accepts every object the chart renders, with default values and with every
 * feature on: a server-side dry run against the end-to-end suite's control plane
 * ({@link ChartCluster}; skipped without its kubeconfig), in namespaces named {@code helm-dry-run…}.
 * Nothing of the chart is written; the optional objects' CRDs (cert-manager's, the Prometheus
 * Operator's) are installed when missing and removed afterwards.
 */
class ChartDryRunE2E {
  static final String DRY_RUN = "helm-dry-run";
  /** The third-party CRDs the optional objects need, from the Go modules their projects publish. */
  static final Map<String, List<String>> THIRD_PARTY_CRDS = Map.of(
      "github.com/cert-manager/cert-manager@v1.21.2",
      List.of("deploy/crds/cert-manager.io_certificates.yaml", "deploy/crds/cert-manager.io_issuers.yaml"),
      "github.com/prometheus-operator/prometheus-operator@v0.85.0",
      List.of("example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
          "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"));
  static ChartCluster cluster;

  @BeforeAll
  static void cluster() throws Exception {
    cluster = ChartCluster.fromEnvironment();
    HelmChart.binary();
  }

  @Test
  void theApiServerAcceptsEveryObjectWithDefaultValuesAndWithEveryFeatureOn() throws Exception {
    List<String> created = thirdPartyCrds();
    String shop = DRY_RUN + "-shop";
    String web = DRY_RUN + "-web";
    String monitoring = DRY_RUN + "-monitoring";
    cluster.namespaces(DRY_RUN, shop, web, monitoring);
    try {
      assertAccepted(HelmChart.renderIn(DRY_RUN, "--include-crds"));
      // the values file's own namespaces (shop, web, monitoring) exist only under helm-… names here
      List<JsonNode> all = HelmChart.renderIn(DRY_RUN, "--include-crds", "-f", HelmChart.ALL_FEATURES.toString(),
          "--set", "watchNamespaces={" + shop + "," + web + "}",
          "--set", "monitoring.grafanaDashboard.namespace=" + monitoring);
      assertThat(all).extracting(o -> o.path("kind").asText()).contains("Certificate", "Issuer", "ServiceMonitor",
          "PrometheusRule", "ConfigMap", "PodDisruptionBudget", "RoleBinding");
      assertAccepted(all);
    } finally {
      cluster.deleteNamespaces(DRY_RUN, shop, web, monitoring);
      for (String crd : created) {
        cluster.kubectlOk("", "delete", "crd", crd, "--wait=false");
      }
    }
  }

  /**
   * A server-side dry run of every object: {@code kubectl create --dry-run=server} where none of its
   * name exists, {@code kubectl replace --dry-run=server} where one does (another installation's
   * ClusterRole, the CRD). Not {@code kubectl apply}: on an existing object it would merge the
   * chart's fields into that object's, and judge the mix (a webhook with both a url and a Service).
   */
  private static void assertAccepted(List<JsonNode> objects) throws Exception {
    Map<String, JsonNode> existing = cluster.existing(objects);
    List<JsonNode> create = objects.stream().filter(o -> !existing.containsKey(ChartCluster.id(o))).toList();
    // pinned to the version read, as an update of a CRD must be
    List<JsonNode> replace = new ArrayList<>();
    for (JsonNode o : objects) {
      JsonNode current = existing.get(ChartCluster.id(o));
      if (current != null) {
        ObjectNode copy = o.deepCopy();
        ((ObjectNode) copy.get("metadata")).put("resourceVersion", current.at("/metadata/resourceVersion").asText());
        replace.add(copy);
      }
    }
    List<String> accepted = new ArrayList<>();
    for (var batch : List.of(Map.entry("create", create), Map.entry("replace", replace))) {
      if (batch.getValue().isEmpty()) {
        continue;
      }
      String out = cluster.kubectlOk(ChartCluster.list(batch.getValue()), batch.getKey(), "--dry-run=server",
          "-f", "-", "-o", "name");
      out.lines().filter(l -> !l.isBlank()).forEach(accepted::add);
    }
    assertThat(accepted).as("what the API server accepted (kubectl create/replace --dry-run=server)")
        .hasSize(objects.size());
  }

  /** Installs the CRDs that are missing; returns the names of those it installed. */
  private static List<String> thirdPartyCrds() throws Exception {
    List<String> installed = new ArrayList<>();
    for (var module : new TreeMap<>(THIRD_PARTY_CRDS).entrySet()) {
      Path dir = moduleDir(module.getKey());
      for (String file : module.getValue()) {
        String yaml = Files.readString(dir.resolve(file));
        String name = Rendered.objects(file, yaml).get(0).at("/metadata/name").asText();
        if (cluster.kubectl("", "get", "crd", name).exit() != 0) {
          cluster.kubectlOk(yaml, "apply", "--server-side", "--field-manager=helm-e2e", "-f", "-");
          installed.add(name);
        }
        dev.rootlock.e2e.E2ECluster.awaitEstablished(name, args -> cluster.kubectl("", args).exit() == 0);
      }
    }
    return installed;
  }

  /** The directory of a Go module in Go's module cache, downloaded when missing. */
  private static Path moduleDir(String module) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("go", "mod", "download", "-json", module)
        .directory(Files.createDirectories(Path.of("target/helm-e2e")).toFile());
    pb.environment().put("GOFLAGS", "-mod=mod");
    HelmChart.Result r;
    try {
      r = HelmChart.exec(pb, "");
    } catch (java.io.IOException e) {
      // skipped like the other tools' tests, unless .ci/run makes them mandatory
      assumeTrue(Boolean.getBoolean("rootlock.tools.required"), "go is needed to read " + module + "'s CRDs: " + e);
      throw new AssertionError("go is needed to read " + module + "'s CRDs", e);
    }
    assertThat(r.exit()).as("go mod download " + module + ": " + r.out() + r.err()).isZero();
    return Path.of(new ObjectMapper().readTree(r.out()).path("Dir").asText());
  }
}
