package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.deployment;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Memory-sizing warnings and onMemoryRisk: Skip, and container exemptions, through the operator. */
class MemoryAndExemptionsIT {
  final Cluster cluster = new Cluster();
  RootlockOperator rootlock;

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  static Deployment limited(String name, String memory) {
    return deployment(name, "{tier: web}", "{containers: [{name: app, image: app:1, resources: {limits: {memory: "
        + memory + "}}}]}");
  }

  void start() {
    rootlock = cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
  }

  WorkloadStatus workload(String name) {
    return cluster.workload(NS, "p", name);
  }

  List<Event> events(String reason) {
    return cluster.client().resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  long writes(String deployment) {
    return cluster.api().exchanges().stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains("/deployments/" + deployment + "?")
            && e.status() < 300)
        .count();
  }

  void edit(Consumer<ReadOnlyPolicy> change) {
    cluster.editPolicy(NS, "p", p -> {
      change.accept(p);
    });
  }

  static void eventually(ThrowingRunnable assertion) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
  }

  @Test
  void aMemoryRiskIsAWarningInTheStatusAnEventOnceAndAMetric() {
    cluster.create(limited("tight", "96Mi"));
    cluster.create(limited("roomy", "1Gi"));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(cluster.status(NS, "p").getCompliant()).isEqualTo(2));
    assertThat(workload("tight").getMessage())
        .endsWith("; warning: tmpfs may use up to 64Mi of app's 96Mi limit");
    assertThat(workload("roomy").getMessage()).doesNotContain("warning");
    assertThat(cluster.status(NS, "p").getWarnings()).isEqualTo(1);
    assertThat(cluster.status(NS, "p").getKinds()).isEqualTo("Deployment:2");
    assertThat(rootlock.registry().get(RootlockMetrics.WARNINGS).tags("namespace", NS, "policy", "p").gauge().value())
        .isEqualTo(1);
    eventually(() -> assertThat(events("MemoryRisk")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getRegarding().getKind()).isEqualTo("ReadOnlyPolicy");
      assertThat(e.getNote()).startsWith("1 workload may run short of memory")
          .endsWith("Deployment tight: tmpfs may use up to 64Mi of app's 96Mi limit");
    }));
    Cluster.settle(Duration.ofSeconds(3)); // three resyncs
    assertThat(events("MemoryRisk")).as("written once, not once per reconcile").hasSize(1);
    assertThat(writes("tight")).as("a warning, not a block: hardened once").isEqualTo(1);
  }

  @Test
  void eachWarningAndConditionChangeIsAnnouncedOnceWhileStatusWritesArePaced() {
    int n = 8;
    for (int i = 0; i < n; i++) {
      cluster.create(deployment("w" + i, "{tier: web}", "{containers: [{name: app, image: app:1}]}")); // no limit
    }
    start();
    // one rollout at a time: the status is mid-rollout for several seconds, so its writes are paced
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: 1}}"));

    eventually(() -> assertThat(cluster.status(NS, "p").getCompliant()).isEqualTo(n));
    Cluster.settle(Duration.ofSeconds(3)); // three resyncs
    assertThat(events("MemoryRisk")).as("one on the policy once its paced wave settled, naming every workload")
        .singleElement().satisfies(e -> {
          assertThat(e.getRegarding().getName()).isEqualTo("p");
          for (int i = 0; i < n; i++) {
            assertThat(e.getNote()).contains("Deployment w" + i + ": ");
          }
        });
    assertThat(events("RollingOut")).as("Ready=False once, however many paced writes followed").hasSize(1);
    assertThat(events("AllCompliant")).hasSize(1);
  }

  @Test
  void warningsOfWorkloadsPastTheStatusCapAreAnnouncedOnceToo() {
    int n = ReadOnlyPolicyStatus.MAX_WORKLOADS + 4; // the status keeps 100 entries: 4 have none
    for (int i = 0; i < n; i++) {
      cluster.create(deployment(String.format("w%03d", i), "{tier: web}", "{containers: [{name: app, image: app:1}]}"));
    }
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: 200}}"));

    eventually(() -> assertThat(cluster.status(NS, "p").getCompliant()).isEqualTo(n));
    assertThat(cluster.status(NS, "p").getWorkloads()).hasSize(ReadOnlyPolicyStatus.MAX_WORKLOADS);
    Cluster.settle(Duration.ofSeconds(3)); // three resyncs
    assertThat(events("MemoryRisk")).as("one for the policy, entries in the status or not").singleElement()
        .satisfies(e -> assertThat(e.getNote()).startsWith(n + " workloads may run short of memory"));
    Cluster.settle(Duration.ofSeconds(3)); // more resyncs: workloads past the cap are not announced again
    assertThat(events("MemoryRisk")).hasSize(1);
  }

  @Test
  void skipLeavesARiskyWorkloadUnhardenedAndUndoesOneHardenedBefore() {
    Deployment original = cluster.create(limited("tight", "96Mi"));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(workload("tight").getState()).isEqualTo(WorkloadState.Compliant));

    edit(p -> p.getSpec().setOnMemoryRisk(dev.rootlock.api.OnMemoryRisk.Skip));
    eventually(() -> assertThat(workload("tight").getState()).isEqualTo(WorkloadState.NonCompliant));
    assertThat(workload("tight").getMessage()).isEqualTo("not hardened: tmpfs may use up to 64Mi of app's 96Mi "
        + "limit (spec.onMemoryRisk: Skip)");
    assertThat(tree(cluster.deployment(NS, "tight").getSpec().getTemplate()))
        .as("the earlier hardening undone exactly").isEqualTo(tree(original.getSpec().getTemplate()));
    long afterUndo = writes("tight");
    Cluster.settle(Duration.ofSeconds(2));
    assertThat(writes("tight")).as("nothing more while the risk stands").isEqualTo(afterUndo);

    // a bigger limit ends the risk: hardened again
    cluster.edit(NS, "tight", d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
          .put("memory", new io.fabric8.kubernetes.api.model.Quantity("512Mi"));
      return d;
    });
    eventually(() -> assertThat(workload("tight").getState()).isEqualTo(WorkloadState.Compliant));
  }

  @Test
  void exemptSidecarsStayAsTheyAreAndTheWorkloadIsStillCompliantUntilItIsUndone() {
    Deployment original = cluster.create(deployment("meshed", "{tier: web}", """
        {containers: [{name: app, image: app:1}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.22.0},
                      {name: agent, image: quay.io/vendor/vendor-agent:7}]}"""));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, excludeContainers: [istio-*], "
        + "excludeImages: ['*/vendor-agent:*']}"));

    eventually(() -> assertThat(workload("meshed").getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(workload("meshed").getMessage())
        .contains("container istio-proxy: exempt (spec.excludeContainers: istio-*), left as it is")
        .contains("container agent: exempt (spec.excludeImages: */vendor-agent:*), left as it is");
    var containers = cluster.deployment(NS, "meshed").getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers.get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(tree(containers.get(1))).isEqualTo(tree(original.getSpec().getTemplate().getSpec().getContainers()
        .get(1)));
    assertThat(tree(containers.get(2))).isEqualTo(tree(original.getSpec().getTemplate().getSpec().getContainers()
        .get(2)));

    cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName("p").delete();
    eventually(() -> assertThat(tree(cluster.deployment(NS, "meshed").getSpec().getTemplate()))
        .isEqualTo(tree(original.getSpec().getTemplate())));
  }
}
