package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.WorkloadState;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stand-in GitOps controller with self-heal puts the un-hardened template back every time it
 * sees the hardening: Rootlock corrects it three times, then stops, names the writer, and tries
 * again when the policy spec changes. (The mock API server records no managedFields; the
 * stand-in writes the entry the API server would have recorded for it.)
 */
class DriftFightIT {
  final Cluster cluster = new Cluster();
  final ScheduledExecutorService gitops = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void tearDown() {
    gitops.shutdownNow();
    cluster.close();
  }

  long templateWrites() {
    // Rootlock's hardening patches: the stand-in's own edits carry another user agent
    return cluster.api().exchanges().stream().filter(e -> e.method().equals("PATCH")
        && e.path().contains("/deployments/web?") && e.status() < 300).count();
  }

  List<Event> events(String reason) {
    return cluster.client().resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  @Test
  void afterThreeCorrectionsRootlockStopsNamesTheWriterAndResumesOnASpecChange() {
    Deployment original = cluster.create(web("web"));
    RootlockOperator rootlock = cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));
    gitops.scheduleWithFixedDelay(() -> revertIfHardened(original), 200, 200, TimeUnit.MILLISECONDS);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cluster.workload(NS, "p", "web").getState()).isEqualTo(WorkloadState.Conflict));
    assertThat(cluster.workload(NS, "p", "web").getMessage()).startsWith("DriftFight: its hardening was reverted "
        + "and put back 3 times in the last 1h, last by field manager argocd-controller (Update); Rootlock "
        + "stopped correcting it");
    Cluster.settle(Duration.ofSeconds(3));
    assertThat(templateWrites()).as("the hardening, then 3 corrections, then nothing").isEqualTo(4);
    assertThat(cluster.workload(NS, "p", "web").getState()).isEqualTo(WorkloadState.Conflict);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("DriftFight")).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning")));
    assertThat(rootlock.registry().get(RootlockMetrics.DRIFT_FIGHTS).tags("namespace", NS, "policy", "p").counter()
        .count()).isEqualTo(1.0);

    // the team stops the fight (fixes Git) and changes the policy: Rootlock hardens again, once
    gitops.shutdownNow();
    cluster.editPolicy(NS, "p", p -> p.getSpec().setCachePaths(List.of("/var/cache/nginx")));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(cluster.workload(NS, "p", "web").getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(templateWrites()).isEqualTo(5);
  }

  private static FieldsV1 fields() {
    FieldsV1 f = new FieldsV1();
    f.setAdditionalProperty("f:spec", Map.of("f:template", Map.of()));
    return f;
  }

  /** What Argo CD's self-heal does: the template from Git, as soon as it differs. */
  private void revertIfHardened(Deployment original) {
    try {
      Deployment d = cluster.deployment(NS, "web");
      var sc = d.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext();
      if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
        return;
      }
      cluster.edit(NS, "web", now -> {
        now.getSpec().setTemplate(new PodTemplateSpecBuilder(original.getSpec().getTemplate()).build());
        now.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("argocd-controller")
            .withOperation("Update").withApiVersion("apps/v1").withTime(Instant.now().toString())
            .withFieldsType("FieldsV1").withFieldsV1(fields())
            .build()));
        return now;
      });
    } catch (RuntimeException e) {
      // a lost race with Rootlock: the next tick looks again
    }
  }
}
