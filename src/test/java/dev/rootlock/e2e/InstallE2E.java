package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user sees when installing: the real API server accepts crds/ and deploy/ applied
 * server-side, serves the CRD's printer columns and its schema to kubectl explain, and refuses the
 * specs the CRD's schema can refuse — with the field named — before Rootlock ever sees them.
 */
class InstallE2E {
  static Installation installation;
  static E2ECluster cluster;
  static TestNamespace ns;

  @BeforeAll
  static void install() {
    installation = Installation.get();
    cluster = installation.cluster();
    ns = TestNamespace.create(cluster, "install");
  }

  @AfterAll
  static void cleanUp() {
    ns.close();
  }

  @Test
  void deployRollsOutOnRealControllersAndIsAdaptedForTheJarRunOutsideTheCluster() {
    Deployment operator = cluster.admin().apps().deployments().inNamespace(Installation.NAMESPACE)
        .withName("rootlock-operator").get();
    assertThat(operator.getSpec().getReplicas()).as("scaled to 0 after its rollout: the jar runs instead").isZero();
    assertThat(operator.getMetadata().getManagedFields()).extracting(f -> f.getManager())
        .contains("e2e-install");
    MutatingWebhookConfiguration webhook = cluster.admin().admissionRegistration().v1()
        .mutatingWebhookConfigurations().withName(Installation.WEBHOOK).get();
    assertThat(webhook.getWebhooks().get(0).getClientConfig().getUrl())
        .isEqualTo("https://127.0.0.1:" + Installation.WEBHOOK_PORT + "/mutate");
    // re-applying the same manifests server-side changes nothing the install did not own
    String again = cluster.kubectlOk("apply", "--server-side", "--field-manager=e2e-install", "-k", "crds/");
    assertThat(again).contains("readonlypolicies.rootlock.dev serverside-applied");
  }

  @Test
  void getShowsTheContractsColumnsAndWideAddsTheirDetail() {
    apply("""
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: columns}
        spec: {selector: {matchLabels: {tier: none}}}
        """);
    String plain = cluster.kubectlOk("-n", ns.name(), "get", "readonlypolicies");
    assertThat(plain.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "MODE", "MATCHED", "COMPLIANT", "READY", "AGE");
    String wide = cluster.kubectlOk("-n", ns.name(), "get", "rop", "-o", "wide");
    assertThat(wide.lines().findFirst().orElseThrow())
        .matches("NAME\\s+MODE\\s+MATCHED\\s+COMPLIANT\\s+READY\\s+REASON\\s+KINDS\\s+ROLLED BACK\\s+WARNINGS\\s+AGE");
    assertThat(wide).contains("columns").contains("Enforce");
  }

  @Test
  void explainDescribesTheSpecFromTheCrdSchema() {
    String explained = cluster.kubectlOk("explain", "readonlypolicy.spec");
    assertThat(explained).contains("KIND:", "ReadOnlyPolicy", "tmpPaths", "cachePaths", "sizeLimit", "selector")
        .contains("Writable temporary paths");
    assertThat(cluster.kubectlOk("explain", "readonlypolicy.spec.mode")).contains("Enforce writes the hardening");
  }

  @Test
  void theApiServerRefusesWhatTheSchemaCanRefuseNamingTheField() {
    record Bad(String spec, List<String> said) {}
    // what this API server says (v1.37): the schema's own words, each naming the field
    List<Bad> bad = List.of(
        new Bad("{mode: enforce}", List.of("spec.mode: Unsupported value: \"enforce\"",
            "supported values: \"Audit\", \"Enforce\"")),
        new Bad("{tmpPaths: /tmp}", List.of(".spec.tmpPaths: expected list")),
        new Bad("{tmpPaths: [tmp]}", List.of("spec.tmpPaths[0] in body should match")),
        new Bad("{cachePaths: [/proc/self]}", List.of("spec.cachePaths: Invalid value: paths must not contain . or .. "
            + "segments nor lie under /proc, /sys or /dev")),
        new Bad("{tmpPaths: [/tmp], cachePaths: [/tmp]}", List.of("a path may appear only once across tmpPaths and "
            + "cachePaths")),
        new Bad("{sizeLimit: lots}", List.of("spec.sizeLimit in body should match")),
        new Bad("{memoryShareWarning: 0}", List.of("spec.memoryShareWarning in body should be greater than or equal "
            + "to 1")),
        new Bad("{kinds: [Pod]}", List.of("spec.kinds[0] in body should match")),
        new Bad("{tmpPath: [/tmp]}", List.of(".spec.tmpPath: field not declared in schema")));
    for (Bad b : bad) {
      E2ECluster.Result r = applyExpectingFailure("""
          apiVersion: rootlock.dev/v1alpha1
          kind: ReadOnlyPolicy
          metadata: {name: bad}
          spec: %s
          """.formatted(b.spec()));
      assertThat(r.output()).as(b.spec()).contains(b.said());
    }
    assertThat(cluster.admin().resources(dev.rootlock.api.ReadOnlyPolicy.class).inNamespace(ns.name())
        .withName("bad").get()).as("nothing stored").isNull();
  }

  private void apply(String yaml) {
    E2ECluster.Result r = cluster.kubectlWithInput(yaml, "-n", ns.name(), "apply", "--server-side", "-f", "-");
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private E2ECluster.Result applyExpectingFailure(String yaml) {
    E2ECluster.Result r = cluster.kubectlWithInput(yaml, "-n", ns.name(), "apply", "--server-side",
        "--validate=strict", "-f", "-");
    assertThat(r.exitCode()).as("refused: " + yaml + "\n" + r.output()).isNotZero();
    return r;
  }
}
