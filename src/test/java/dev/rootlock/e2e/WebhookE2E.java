package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.WorkloadState;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The admission webhook as the real API server calls it: through the MutatingWebhookConfiguration
 * of deploy/ (its url pointed at the operator on loopback), with the caBundle the operator wrote.
 * A created Deployment is stored hardened and rolls out once; a server-side dry run shows the same;
 * with the operator down, creation still succeeds (failurePolicy Ignore) and the reconcile hardens
 * it once the operator is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookE2E {
  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    ns = TestNamespace.create(installation.cluster(), "webhook");
    kube = new Kube(installation.cluster(), ns.name());
    kube.apply(Workloads.policy("admit", "{selector: {matchLabels: {tier: e2e}}}"));
    operator = OperatorProcess.start(installation, "webhook", Installation.WEBHOOK_PORT);
    operator.awaitLeader();
    await("caBundle written by the operator").atMost(Duration.ofSeconds(30)).until(() ->
        installation.cluster().admin().admissionRegistration().v1().mutatingWebhookConfigurations()
            .withName(Installation.WEBHOOK).get().getWebhooks().get(0).getClientConfig().getCaBundle() != null);
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, operator);
  }

  @Test
  @Order(1)
  void aCreatedDeploymentIsStoredHardenedAndRollsOutOnce() {
    AuditLog audit = installation.cluster().auditLog().map(AuditLog::new).orElse(null);
    long mark = audit == null ? 0 : audit.mark();
    E2ECluster.Result created = installation.cluster().kubectlWithInput(Workloads.deployment("fresh", 2,
        "RollingUpdate"), "-n", ns.name(), "create", "-f", "-");
    assertThat(created.exitCode()).as(created.output()).isZero();
    JsonNode stored = kube.template("Deployment", "fresh");
    assertThat(Kube.readOnlyContainers(stored)).containsExactly("app");
    assertThat(Kube.mounts(stored, "app")).contains("/tmp");
    assertThat(kube.annotations("Deployment", "fresh")).containsKeys("rootlock.dev/revert", "rootlock.dev/owner");
    kube.awaitRolledOut("Deployment", "fresh");
    kube.awaitState("admit", "Deployment", "fresh", WorkloadState.Compliant, Duration.ofSeconds(60));
    assertThat(installation.cluster().admin().apps().replicaSets().inNamespace(ns.name()).withLabel("app", "fresh")
        .list().getItems()).as("one ReplicaSet: no second rollout").hasSize(1);
    if (audit != null) {
      assertThat(audit.since(mark, Installation.operatorUser())).filteredOn(r -> r.resource().equals("deployments")
          && r.verb().equals("patch")).as("the reconcile had nothing to write").isEmpty();
    }
  }

  @Test
  @Order(2)
  void aServerSideDryRunShowsTheHardenedObjectAndStoresNothing() throws Exception {
    E2ECluster.Result dry = installation.cluster().kubectlWithInput(Workloads.deployment("dry", 1, "RollingUpdate"),
        "-n", ns.name(), "create", "--dry-run=server", "-o", "json", "-f", "-");
    assertThat(dry.exitCode()).as(dry.output()).isZero();
    JsonNode shown = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dry.output());
    assertThat(Kube.readOnlyContainers(shown.at("/spec/template"))).containsExactly("app");
    assertThat(kube.workload("Deployment", "dry")).isNull();
  }

  @Test
  @Order(3)
  void withTheOperatorDownCreationSucceedsAndTheReconcileHardensLater() {
    operator.close();
    E2ECluster.Result created = installation.cluster().kubectlWithInput(Workloads.deployment("while-down", 1,
        "RollingUpdate"), "-n", ns.name(), "create", "-f", "-");
    assertThat(created.exitCode()).as("failurePolicy Ignore: " + created.output()).isZero();
    assertThat(Kube.readOnlyContainers(kube.template("Deployment", "while-down"))).isEmpty();
    operator = OperatorProcess.start(installation, "webhook-again", Installation.WEBHOOK_PORT);
    kube.awaitState("admit", "Deployment", "while-down", WorkloadState.Compliant, Duration.ofSeconds(90));
    assertThat(Kube.readOnlyContainers(kube.template("Deployment", "while-down"))).containsExactly("app");
  }
}
