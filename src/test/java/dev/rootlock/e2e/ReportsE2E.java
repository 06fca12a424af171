package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Policy reports through the real OpenReports CRD ({@code reports.openreports.io}, from its
 * published Go module): the API server validates every report the operator writes against the
 * CRD's schema, and the real garbage collector removes a policy's reports with the policy.
 */
class ReportsE2E {
  static final String CRD = "reports.openreports.io";
  static final String API = "openreports.io/v1alpha1";

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;
  static boolean crdInstalledHere;

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    E2ECluster cluster = installation.cluster();
    boolean present = cluster.admin().apiextensions().v1().customResourceDefinitions().withName(CRD).get() != null;
    if (!present) {
      Path crd = E2ECluster.openReportsCrd().orElse(null);
      assumeTrue(crd != null, "no OpenReports CRD on the cluster and none built here (src/test/cluster/cluster build)");
      cluster.kubectlOk("apply", "--server-side", "--field-manager=e2e-reports", "-f", crd.toString());
      cluster.awaitEstablished(CRD);
      crdInstalledHere = true;
    }
    ns = TestNamespace.create(cluster, "reports");
    kube = new Kube(cluster, ns.name());
    kube.apply(Workloads.deployment("web", 1, "RollingUpdate"));
    kube.apply(Workloads.deployment("legacy", 1, "RollingUpdate").replace("labels: {tier: e2e}",
        "labels: {tier: e2e}, annotations: {rootlock.dev/exclude: \"true\"}"));
    operator = OperatorProcess.start(installation, "reports", -1, "--reports", "openreports");
    operator.awaitLeader();
  }

  @AfterAll
  static void tearDown() {
    try {
      OperatorProcess.tearDown(installation, ns, operator);
    } finally {
      if (crdInstalledHere) {
        installation.cluster().kubectlOk("delete", "crd", CRD, "--wait=true");
      }
    }
  }

  @Test
  void aPolicysReportIsAcceptedByTheRealSchemaAndCollectedWithThePolicy() {
    kube.apply(Workloads.policy("shop", "{selector: {matchLabels: {tier: e2e}}}"));
    kube.awaitState("shop", "Deployment", "web", WorkloadState.Compliant, Duration.ofSeconds(90));
    kube.awaitState("shop", "Deployment", "legacy", WorkloadState.Excluded, Duration.ofSeconds(30));
    await("report rootlock-shop with both results").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      GenericKubernetesResource report = report("rootlock-shop");
      assertThat(report).isNotNull();
      assertThat(report.getAdditionalProperties().get("summary")).isEqualTo(Map.of("pass", 1, "fail", 0, "warn", 0,
          "error", 0, "skip", 1));
    });
    GenericKubernetesResource report = report("rootlock-shop");
    ReadOnlyPolicy policy = kube.policy("shop");
    assertThat(report.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo(policy.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> results = (List<Map<String, Object>>) report.getAdditionalProperties().get("results");
    assertThat(results).extracting(r -> r.get("result")).containsExactlyInAnyOrder("pass", "skip");
    assertThat(results).allSatisfy(r -> assertThat(r).containsEntry("source", "rootlock")
        .containsEntry("policy", ns.name() + "/shop"));

    kube.admin().resources(ReadOnlyPolicy.class).inNamespace(ns.name()).withName("shop").delete();
    await("the garbage collector removes the report with its policy").atMost(Duration.ofSeconds(60))
        .until(() -> report("rootlock-shop") == null);
  }

  private static GenericKubernetesResource report(String name) {
    return kube.admin().genericKubernetesResources(API, "Report").inNamespace(ns.name()).withName(name).get();
  }
}
