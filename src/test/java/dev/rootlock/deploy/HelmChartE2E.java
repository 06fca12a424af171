package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart installed, upgraded and uninstalled with the real helm on the real API server of the
 * end-to-end suite's control plane ({@link ChartCluster}; skipped without its kubeconfig). That
 * the server accepts every object the chart can render is {@link ChartDryRunE2E}'s. KWOK makes
 * the operator's pods Ready but runs no process in them, so what the release lets the operator do
 * is checked twice: by the API server's authorizer (SubjectAccessReviews as the chart's
 * ServiceAccount), and by running the operator with that ServiceAccount's token and the release's
 * arguments ({@link ChartOperator}). Everything namespaced lives in namespaces named {@code helm-…}.
 *
 * <p>The chart's cluster-scoped objects have fixed names (one release per cluster: the operator
 * finds its webhook configuration by name), so {@link #installUpgradeUninstall} needs a cluster
 * where no other installation holds them, e.g. before the suite's {@code kubectl apply -k deploy/};
 * when one does, it is skipped naming the object.
 */
class HelmChartE2E {
  static final String RELEASE = "helm-e2e";
  static final String NAMESPACE = "helm-rootlock";
  /** The namespaces the upgrade makes the operator watch. */
  static final List<String> WATCHED = List.of("helm-watched-a", "helm-watched-b");
  /**
   * The webhook configuration the install creates is real but never called: no namespace carries
   * this label. Its Service's endpoints are KWOK's fake pod IPs, and the suite's other tests must
   * not wait on a webhook that cannot answer.
   */
  static final String UNCALLED_WEBHOOK =
      "webhook: {namespaceSelector: {matchLabels: {rootlock.dev/helm-e2e: never}}}\n";

  static ChartCluster cluster;

  @BeforeAll
  static void cluster() throws Exception {
    cluster = ChartCluster.fromEnvironment();
    HelmChart.binary();
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
      String notes = cluster.helmOk("install", RELEASE, HelmChart.CHART.toString(), "-n", NAMESPACE,
          "--create-namespace", "-f", values.toString(), "--wait", "--timeout=3m");
      assertThat(notes).as("NOTES.txt: what to do next").contains("mode: Audit", "kubectl get rop -A",
          "kubectl -n " + NAMESPACE + " rollout status deployment/rootlock-operator");
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

      operatorRunsAsTheReleasesServiceAccountWithoutA403();
      List<JsonNode> last = manifest();
      cluster.helmOk("uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout=3m");
      assertThat(cluster.existing(last)).as("what helm uninstall left of the release's objects").isEmpty();
      assertThat(cluster.kubectlOk("", "get", "crd", "readonlypolicies.rootlock.dev", "-o", "name"))
          .as("the CRD stays").isNotBlank();
      assertThat(cluster.kubectlOk("", "-n", WATCHED.get(0), "get", "rop", "web", "-o", "name"))
          .as("and so do the policies").isNotBlank();
    } finally {
      // the operator is gone: nothing would remove the policies' finalizers, and their namespaces would never go
      for (String ns : WATCHED) {
        cluster.kubectl("{\"metadata\":{\"finalizers\":null}}", "-n", ns, "patch", "rop", "web",
            "--type=merge", "--patch-file=/dev/stdin");
      }
      cluster.helmOk("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found", "--wait");
      List<String> namespaces = new ArrayList<>(WATCHED);
      namespaces.add(NAMESPACE);
      cluster.deleteNamespaces(namespaces.toArray(String[]::new));
    }
  }

  /**
   * The operator, with the upgraded release's arguments (two watched namespaces, no webhook) and its
   * ServiceAccount's token, hardens a Deployment under a policy in each watched namespace; nothing it
   * does is refused. Both exist before it starts: its first reconciles must find them (a store
   * shared by the namespaces' informers once lost one namespace's workloads until the resync).
   */
  private static void operatorRunsAsTheReleasesServiceAccountWithoutA403() throws Exception {
    List<String> args = Rendered.texts(Rendered.only(manifest(), "Deployment")
        .at("/spec/template/spec/containers/0/args"));
    for (String ns : WATCHED) {
      cluster.kubectlOk("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: %1$s, labels: {tier: web}}
          spec:
            replicas: 1
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web, tier: web}}
              spec:
                containers:
                - {name: web, image: "nginx:1.27"}
          ---
          apiVersion: rootlock.dev/v1alpha1
          kind: ReadOnlyPolicy
          metadata: {name: web, namespace: %1$s}
          spec: {selector: {matchLabels: {tier: web}}, tmpPaths: [/tmp]}
          """.formatted(ns), "apply", "-f", "-");
    }
    try (ChartOperator operator = ChartOperator.start(cluster, NAMESPACE, args)) {
      await().atMost(Duration.ofMinutes(1)).until(operator::ready);
      // Well inside the chart's resync (10 min): only the first reconciles can pass.
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        assertThat(operator.alive()).as("the operator runs: " + operator.log()).isTrue();
        for (String ns : WATCHED) {
          assertThat(cluster.kubectlOk("", "-n", ns, "get", "deployment", "web", "-o",
              "jsonpath={.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}"))
              .as(ns + ": hardened by the operator; the policy: " + cluster.kubectlOk("", "-n", ns, "get", "rop",
                  "web", "-o", "jsonpath={.status}")).isEqualTo("true");
          assertThat(cluster.kubectlOk("", "-n", ns, "get", "rop", "web", "-o", "jsonpath={.status.compliant}"))
              .as(ns).isEqualTo("1");
        }
      });
      assertThat(operator.log()).as("the operator's log").doesNotContainIgnoringCase("forbidden");
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
      if (was == null || is == null
          || !was.at("/metadata/resourceVersion").equals(is.at("/metadata/resourceVersion"))) {
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
