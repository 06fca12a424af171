package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.testing.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart with the real helm on the real API server of the end-to-end suite's control plane
 * ({@link ChartCluster}; skipped without its kubeconfig). KWOK makes the operator's pods Ready; no
 * operator process runs, so what the operator may do is checked with the API server's own
 * authorizer ({@code kubectl auth can-i} as the chart's ServiceAccount). Everything namespaced
 * lives in namespaces named {@code helm-…}.
 *
 * <p>The chart's cluster-scoped objects have fixed names (one release per cluster: the operator
 * finds its webhook configuration by name), so {@link #installUpgradeUninstall} needs a cluster
 * where no other installation holds them, e.g. before the suite's {@code kubectl apply -k deploy/};
 * when one does, it is skipped naming the object.
 */
class HelmChartE2E {
  static final String RELEASE = "helm-e2e";
  static final String NAMESPACE = "helm-rootlock";
  static final String DRY_RUN = "helm-dry-run";
  /** The namespaces the upgrade makes the operator watch. */
  static final List<String> WATCHED = List.of("helm-watched-a", "helm-watched-b");
  /** The third-party CRDs the optional objects need, from the Go modules their projects publish. */
  static final Map<String, List<String>> THIRD_PARTY_CRDS = Map.of(
      "github.com/cert-manager/cert-manager@v1.21.2",
      List.of("deploy/crds/cert-manager.io_certificates.yaml", "deploy/crds/cert-manager.io_issuers.yaml"),
      "github.com/prometheus-operator/prometheus-operator@v0.85.0",
      List.of("example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
          "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"));
  /**
   * The webhook configuration the install creates is real but never called: no namespace carries
   * this label. Its Service's endpoints are KWOK's fake pod IPs, and the suite's other tests must
   * not wait on a webhook that cannot answer.
   */
  static final String UNCALLED_WEBHOOK = "webhook: {namespaceSelector: {matchLabels: {rootlock.dev/helm-e2e: never}}}\n";

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
   * {@code kubectl apply --dry-run=server} of every object: created where none of its name exists,
   * and where one does (another installation's ClusterRole, the CRD), as a replacement of it —
   * an apply would merge into that object's fields, which are not the chart's.
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
        cluster.kubectlOk("", "wait", "--for=condition=Established", "--timeout=60s", "crd/" + name);
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
      assumeTrue(!Boolean.getBoolean("rootlock.tools.required"), "go is needed for " + module + ": " + e);
      throw new AssertionError("go is needed to read " + module + "'s CRDs", e);
    }
    assertThat(r.exit()).as("go mod download " + module + ": " + r.out() + r.err()).isZero();
    return Path.of(new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).path("Dir").asText());
  }

  @Test
  void installUpgradeUninstall() throws Exception {
    List<JsonNode> planned = HelmChart.renderIn(NAMESPACE);
    for (JsonNode o : cluster.existing(planned.stream().filter(p -> !p.at("/metadata/namespace").isTextual())
        .toList()).values()) {
      assumeTrue(RELEASE.equals(o.at("/metadata/annotations/meta.helm.sh~1release-name").asText()),
          ChartCluster.id(o) + " exists and is not this test's release: the chart installs one release per "
              + "cluster; run HelmChartE2E on a cluster without another Rootlock installation");
    }
    cluster.helmOk("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found", "--wait");
    cluster.namespaces(WATCHED.toArray(String[]::new));
    Path values = Files.writeString(Files.createDirectories(Path.of("target/helm-e2e")).resolve("values.yaml"),
        UNCALLED_WEBHOOK + "replicaCount: 1\n");
    try {
      cluster.helmOk("install", RELEASE, HelmChart.CHART.toString(), "-n", NAMESPACE, "--create-namespace",
          "-f", values.toString(), "--wait", "--timeout=3m");
      List<JsonNode> installed = manifest();
      assertThat(cluster.existing(installed)).as("every object of the release").hasSize(installed.size());
      assertThat(cluster.kubectlOk("", "get", "crd", "readonlypolicies.rootlock.dev", "-o", "name")).isNotBlank();
      assertThat(readyReplicas()).isEqualTo(1);
      assertThat(ChartRbacTest.bound(installed, NAMESPACE)).as("what the release lets the operator do: deploy/'s "
          + "rules, which RbacIT proves it uses").containsExactlyInAnyOrderElementsOf(deployGrantsIn(NAMESPACE));
      assertTheApiServerGrantsWhatTheBindingsSay(installed);
      assertThat(cluster.operatorCan(NAMESPACE, "get", "", "secrets", "rootlock-webhook-tls", NAMESPACE)).isTrue();
      assertThat(cluster.operatorCan(NAMESPACE, "delete", "apps", "deployments", "", "")).as("never deletes").isFalse();

      upgradeChangesExactlyWhatTheValuesChange(values);

      cluster.kubectlOk("""
          apiVersion: rootlock.dev/v1alpha1
          kind: ReadOnlyPolicy
          metadata: {name: web, namespace: %s}
          spec: {mode: Audit, selector: {matchLabels: {tier: web}}, tmpPaths: [/tmp]}
          """.formatted(WATCHED.get(0)), "apply", "-f", "-");
      List<JsonNode> last = manifest();
      cluster.helmOk("uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout=3m");
      assertThat(cluster.existing(last)).as("what helm uninstall left of the release's objects").isEmpty();
      assertThat(cluster.kubectlOk("", "get", "crd", "readonlypolicies.rootlock.dev", "-o", "name"))
          .as("the CRD stays").isNotBlank();
      assertThat(cluster.kubectlOk("", "-n", WATCHED.get(0), "get", "rop", "web", "-o", "name"))
          .as("and so do the policies").isNotBlank();
    } finally {
      cluster.helmOk("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found", "--wait");
      List<String> namespaces = new ArrayList<>(WATCHED);
      namespaces.add(NAMESPACE);
      cluster.deleteNamespaces(namespaces.toArray(String[]::new));
    }
  }

  /**
   * replicas 2, the webhook off, two watched namespaces: the objects whose rendering changes (or
   * appears, or goes) are exactly the objects the API server saw change (resourceVersion), appear
   * or go; every other one is left as it was.
   */
  private static void upgradeChangesExactlyWhatTheValuesChange(Path values) throws Exception {
    List<JsonNode> before = manifest();
    Map<String, JsonNode> onServerBefore = cluster.existing(before);
    Files.writeString(values, "replicaCount: 2\nwebhook: {enabled: false}\nwatchNamespaces: ["
        + String.join(", ", WATCHED) + "]\n");
    cluster.helmOk("upgrade", RELEASE, HelmChart.CHART.toString(), "-n", NAMESPACE, "-f", values.toString(),
        "--wait", "--timeout=3m");
    List<JsonNode> after = manifest();
    Map<String, JsonNode> onServerAfter = cluster.existing(after);
    assertThat(onServerAfter).as("every object of the upgraded release").hasSize(after.size());

    Map<String, JsonNode> renderedBefore = byId(before);
    Map<String, JsonNode> renderedAfter = byId(after);
    Set<String> rendered = new TreeSet<>();
    Set<String> changed = new TreeSet<>();
    Set<String> ids = new TreeSet<>(renderedBefore.keySet());
    ids.addAll(renderedAfter.keySet());
    for (String id : ids) {
      if (!renderedBefore.containsKey(id) || !renderedAfter.containsKey(id)
          || !FieldDiff.of(renderedBefore.get(id), renderedAfter.get(id)).isEmpty()) {
        rendered.add(id);
      }
      JsonNode was = onServerBefore.get(id);
      JsonNode is = onServerAfter.get(id);
      if (was == null || is == null || !was.at("/metadata/resourceVersion").equals(is.at("/metadata/resourceVersion"))) {
        changed.add(id);
      }
    }
    assertThat(rendered).as("what the new values change in the rendering")
        .contains("Deployment " + NAMESPACE + "/rootlock-operator", "MutatingWebhookConfiguration rootlock-webhook",
            "RoleBinding " + WATCHED.get(0) + "/rootlock-operator")
        .doesNotContain("ServiceAccount " + NAMESPACE + "/rootlock-operator");
    assertThat(changed).as("the objects the upgrade changed, created or deleted on the server")
        .containsExactlyElementsOf(rendered);
    assertThat(cluster.existing(before.stream().filter(o -> !renderedAfter.containsKey(ChartCluster.id(o))).toList()))
        .as("objects the new values no longer render are deleted").isEmpty();

    assertThat(readyReplicas()).isEqualTo(2);
    JsonNode deployment = onServerAfter.get("Deployment " + NAMESPACE + "/rootlock-operator");
    assertThat(Rendered.texts(deployment.at("/spec/template/spec/containers/0/args")))
        .contains("--webhook=false", "--namespaces=" + String.join(",", WATCHED));
    assertTheApiServerGrantsWhatTheBindingsSay(after);
    assertThat(cluster.operatorCan(NAMESPACE, "patch", "apps", "deployments", "", WATCHED.get(1))).isTrue();
    assertThat(cluster.operatorCan(NAMESPACE, "patch", "apps", "deployments", "", "default"))
        .as("outside the watched namespaces").isFalse();
    assertThat(cluster.operatorCan(NAMESPACE, "get", "", "secrets", "rootlock-webhook-tls", NAMESPACE))
        .as("without the webhook, no Secret").isFalse();
  }

  /**
   * Every grant the release's bindings give the operator's ServiceAccount (as {@link ChartRbacTest}
   * reads them: with default values, deploy/'s rules, which RbacIT proves the operator uses) is
   * one the real authorizer allows.
   */
  private static void assertTheApiServerGrantsWhatTheBindingsSay(List<JsonNode> release) throws Exception {
    List<RbacIT.Grant> grants = ChartRbacTest.bound(release, NAMESPACE);
    assertThat(grants).isNotEmpty();
    List<String> refused = new ArrayList<>();
    for (RbacIT.Grant g : grants) {
      for (String name : g.names().isEmpty() ? List.of("") : g.names()) {
        if (!cluster.operatorCan(NAMESPACE, g.verb(), g.group(), g.resource(), name, g.namespace())) {
          refused.add(g.key() + (name.isEmpty() ? "" : "/" + name) + " in "
              + (g.namespace().isEmpty() ? "every namespace" : g.namespace()));
        }
      }
    }
    assertThat(refused).as("what the bindings grant but the API server refuses").isEmpty();
  }

  /** deploy/'s grants for an install in {@code namespace} instead of rootlock-system. */
  private static List<RbacIT.Grant> deployGrantsIn(String namespace) throws Exception {
    return RbacIT.grants(Rendered.deploy()).stream().map(g -> g.namespace().isEmpty() ? g
        : new RbacIT.Grant(g.group(), g.resource(), g.verb(), namespace, g.names())).toList();
  }

  private static List<JsonNode> manifest() throws Exception {
    return Rendered.objects("helm get manifest", cluster.helmOk("get", "manifest", RELEASE, "-n", NAMESPACE));
  }

  private static int readyReplicas() throws Exception {
    return Integer.parseInt("0" + cluster.kubectlOk("", "-n", NAMESPACE, "get", "deployment", "rootlock-operator",
        "-o", "jsonpath={.status.readyReplicas}").strip());
  }

  private static Map<String, JsonNode> byId(List<JsonNode> objects) {
    Map<String, JsonNode> out = new TreeMap<>();
    objects.forEach(o -> out.put(ChartCluster.id(o), o));
    return out;
  }
}
