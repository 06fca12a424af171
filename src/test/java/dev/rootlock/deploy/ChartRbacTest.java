package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the chart lets the operator do, through its bindings, as the values change: deploy/'s rules
 * (RbacIT proves each is used and enough) minus what the values turn off, and with
 * watchNamespaces only in those namespaces. Whether the operator then runs without a 403 is the
 * cluster test's to prove (helm install on the real control plane).
 */
class ChartRbacTest {
  /** The cluster-scoped resources among the operator's grants: a RoleBinding cannot grant these. */
  private static final Set<String> CLUSTER_SCOPED = Set.of("mutatingwebhookconfigurations", "customresourcedefinitions");

  @Test
  void theDefaultsBindDeploysRules() throws Exception {
    assertThat(bound(HelmChart.render())).containsExactlyInAnyOrderElementsOf(RbacIT.grants(Rendered.deploy()));
  }

  @Test
  void watchedNamespacesAreTheOnlyNamespacesItMayTouch() throws Exception {
    List<RbacIT.Grant> everywhere = bound(HelmChart.render());
    List<JsonNode> objects = HelmChart.render("--set", "watchNamespaces={shop,web}");
    Set<RbacIT.Grant> expected = new HashSet<>();
    for (RbacIT.Grant g : everywhere) {
      if (!g.namespace().isEmpty() || CLUSTER_SCOPED.contains(g.resource())) {
        expected.add(g);
      } else {
        for (String ns : List.of("shop", "web")) {
          expected.add(new RbacIT.Grant(g.group(), g.resource(), g.verb(), ns, g.names()));
        }
      }
    }
    assertThat(bound(objects)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Rendered.ofKind(objects, "ClusterRoleBinding")).extracting(o -> o.at("/metadata/name").asText())
        .as("named apart from the all-namespaces binding, whose roleRef an upgrade could not change")
        .containsExactly("rootlock-operator-cluster");
  }

  @Test
  void withoutTheWebhookNothingOfItIsInstalledOrGranted() throws Exception {
    List<JsonNode> objects = HelmChart.render("--set", "webhook.enabled=false");
    assertThat(Rendered.ofKind(objects, "MutatingWebhookConfiguration")).isEmpty();
    assertThat(Rendered.ofKind(objects, "Service")).extracting(o -> o.at("/metadata/name").asText())
        .containsExactly("rootlock-operator");
    JsonNode container = Rendered.only(objects, "Deployment").at("/spec/template/spec/containers/0");
    assertThat(Rendered.texts(container.path("args"))).contains("--webhook=false");
    assertThat(container.path("ports").toString()).doesNotContain("webhook").doesNotContain("9443");
    assertThat(resources(bound(objects))).doesNotContain("secrets", "mutatingwebhookconfigurations")
        .contains("leases");
  }

  @Test
  void withCertManagerTheOperatorOnlyReadsItsSecret() throws Exception {
    List<RbacIT.Grant> grants = bound(HelmChart.render("--set", "webhook.certificates=cert-manager"));
    assertThat(grants.stream().filter(g -> g.resource().equals("secrets")).toList()).containsExactly(
        new RbacIT.Grant("", "secrets", "get", HelmChart.NAMESPACE, List.of("rootlock-webhook-tls")));
    assertThat(resources(grants)).doesNotContain("mutatingwebhookconfigurations");
  }

  @Test
  void theReportGrantsFollowTheReportsValue() throws Exception {
    assertThat(reportResources("auto")).containsExactlyInAnyOrder("reports", "policyreports",
        "customresourcedefinitions");
    assertThat(reportResources("openreports")).containsExactly("reports");
    assertThat(reportResources("wgpolicy")).containsExactly("policyreports");
    assertThat(reportResources("off")).isEmpty();
  }

  private static Set<String> reportResources(String reports) throws Exception {
    Set<String> out = resources(bound(HelmChart.render("--set", "reports=" + reports)));
    out.retainAll(Set.of("reports", "policyreports", "customresourcedefinitions"));
    return out;
  }

  private static Set<String> resources(List<RbacIT.Grant> grants) {
    return grants.stream().map(RbacIT.Grant::resource).collect(Collectors.toCollection(HashSet::new));
  }

  /**
   * The grants the operator's ServiceAccount holds: each bound role's rules, cluster-wide through a
   * ClusterRoleBinding, in the binding's namespace through a RoleBinding. A role nothing binds grants nothing.
   */
  static List<RbacIT.Grant> bound(List<JsonNode> objects) {
    return bound(objects, HelmChart.NAMESPACE);
  }

  /** The grants of the ServiceAccount {@code rootlock-operator} of a release in {@code releaseNamespace}. */
  static List<RbacIT.Grant> bound(List<JsonNode> objects, String releaseNamespace) {
    List<RbacIT.Grant> out = new ArrayList<>();
    for (JsonNode binding : objects) {
      String kind = binding.path("kind").asText();
      if (!kind.equals("ClusterRoleBinding") && !kind.equals("RoleBinding")) {
        continue;
      }
      boolean toOperator = false;
      for (JsonNode s : binding.path("subjects")) {
        toOperator |= s.path("kind").asText().equals("ServiceAccount")
            && s.path("name").asText().equals("rootlock-operator")
            && s.path("namespace").asText().equals(releaseNamespace);
      }
      if (!toOperator) {
        continue;
      }
      String namespace = kind.equals("RoleBinding") ? binding.at("/metadata/namespace").asText() : "";
      String roleKind = binding.at("/roleRef/kind").asText();
      JsonNode role = objects.stream().filter(o -> o.path("kind").asText().equals(roleKind)
              && o.at("/metadata/name").asText().equals(binding.at("/roleRef/name").asText())
              && (roleKind.equals("ClusterRole") || o.at("/metadata/namespace").asText().equals(namespace)))
          .findFirst().orElseThrow(() -> new AssertionError(kind + " " + binding.at("/metadata/name").asText()
              + " binds a role the chart does not render"));
      for (RbacIT.Grant g : RbacIT.grants(List.of(role))) {
        out.add(new RbacIT.Grant(g.group(), g.resource(), g.verb(), namespace, g.names()));
      }
    }
    return out;
  }
}
