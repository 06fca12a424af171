package dev.rootlock.decision;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.admission.AdmissionHardening;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.PlanPolicy;
import dev.rootlock.plan.Planner;
import dev.rootlock.plan.WorkloadPlan;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.TestKind;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exclusion rules of docs/policy.md on every path: a workload labelled
 * {@code rootlock.dev/exclude: "true"} is left alone by the reconcile, the webhook and {@code plan}
 * alike, as one annotated so is. (The webhook honoured the label while the reconcile hardened the
 * workload a moment later, and {@code plan} hardened its manifest.)
 */
class ExclusionEverywhereIT {
  private static final String WEB_POLICY = "{selector: {matchLabels: {tier: web}}, cachePaths: [/var/cache/nginx]}";

  Cluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  enum Opt {
    LABEL(o -> o.getMetadata().getLabels().put(Annotations.EXCLUDE, "true")),
    ANNOTATION(o -> o.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.EXCLUDE, "true"))));

    final Consumer<HasMetadata> out;

    Opt(Consumer<HasMetadata> out) {
      this.out = out;
    }
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void theReconcileLeavesALabelledWorkloadAloneAndRevertsOneLabelledLater(TestKind kind) {
    cluster = new Cluster();
    HasMetadata labelled = kind.web("legacy");
    Opt.LABEL.out.accept(labelled);
    HasMetadata original = cluster.create(kind.web("web"));
    cluster.create(labelled);
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> assertThat(cluster.get(kind, NS, "web").getMetadata().getAnnotations())
        .containsKey(Annotations.OWNER));
    eventually(() -> {
      WorkloadStatus legacy = cluster.workload(NS, "web", "legacy");
      assertThat(legacy.getState()).isEqualTo(WorkloadState.Excluded);
      assertThat(legacy.getMessage()).contains(Annotations.EXCLUDE + "=true");
    });
    HasMetadata untouched = cluster.get(kind, NS, "legacy");
    assertThat(untouched.getMetadata().getGeneration()).as("never hardened, so never rolled out").isEqualTo(1L);
    assertThat(untouched.getMetadata().getAnnotations()).doesNotContainKey(Annotations.OWNER);

    cluster.edit(kind, NS, "web", o -> o.getMetadata().getLabels().put(Annotations.EXCLUDE, "true"));

    eventually(() -> assertThat(cluster.workload(NS, "web", "web").getState()).isEqualTo(WorkloadState.Excluded));
    HasMetadata reverted = cluster.get(kind, NS, "web");
    assertThat(tree(kind.model().template(reverted))).isEqualTo(tree(kind.model().template(original)));
    assertThat(reverted.getMetadata().getAnnotations()).doesNotContainKeys(Annotations.OWNER, Annotations.REVERT);
  }

  @ParameterizedTest
  @EnumSource(Opt.class)
  void theWebhookAndPlanLeaveItAloneToo(Opt opt) throws Exception {
    ReadOnlyPolicy web = policy("web", WEB_POLICY);
    PolicyRules rules = PolicyRules.from(web.getSpec()).rules();
    for (TestKind kind : TestKind.values()) {
      HasMetadata o = kind.web("legacy");
      opt.out.accept(o);
      JsonNode raw = JsonPatches.tree(o);

      AdmissionHardening.Mutation admitted = new AdmissionHardening(
          ns -> List.of(web), Clock.systemUTC(), SeedPlatform.DEFAULT)
          .decide(new Workload(kind.model(), o), raw, null);
      assertThat(admitted.patch()).as(kind + " " + opt + ": the webhook writes nothing").isEmpty();

      List<WorkloadPlan> planned = new Planner(List.of(new PlanPolicy(web, rules)))
          .plan(ManifestReader.split("legacy.yaml", raw.toString())).workloads();
      assertThat(planned).as(kind + " " + opt + ": plan").singleElement().satisfies(p -> {
        assertThat(p.state()).isEqualTo(WorkloadState.Excluded.name());
        assertThat(p.changes()).isFalse();
        assertThat(p.summary()).contains(Annotations.EXCLUDE + "=true");
      });
    }
  }

  private static void eventually(org.awaitility.core.ThrowingRunnable assertion) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
  }
}
