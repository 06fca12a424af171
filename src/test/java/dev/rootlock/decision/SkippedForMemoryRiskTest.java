package dev.rootlock.decision;

import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.admission.AdmissionHardening;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.Plan;
import dev.rootlock.plan.PlanPolicy;
import dev.rootlock.plan.Planner;
import dev.rootlock.testing.TestKind;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A workload {@code spec.onMemoryRisk: Skip} leaves unhardened is never reported compliant: it is
 * {@code NonCompliant} with the reason, as docs/policy.md says, in {@code plan} as in the reconcile
 * (MemoryAndExemptionsIT), and the webhook writes nothing for it. ({@code plan} reported it
 * {@code Compliant}.)
 */
class SkippedForMemoryRiskTest {
  static final String RISK = "tmpfs may use up to 64Mi and app has no memory limit";

  @ParameterizedTest
  @ValueSource(strings = {"Enforce", "Audit"})
  void planReportsItNonCompliantWithTheReasonAndChangesNothing(String mode) throws Exception {
    ReadOnlyPolicy skip = policy("web", "{selector: {matchLabels: {tier: web}}, onMemoryRisk: Skip, mode: " + mode
        + "}");
    for (TestKind kind : TestKind.values()) {
      JsonNode raw = JsonPatches.tree(kind.web("web")); // no memory limit: every tmpfs is a risk
      Plan plan = new Planner(List.of(new PlanPolicy(skip, PolicyRules.from(skip.getSpec()).rules())))
          .plan(ManifestReader.split("web.yaml", raw.toString()));

      assertThat(plan.workloads()).as(kind + " " + mode).singleElement().satisfies(p -> {
        assertThat(p.state()).isEqualTo(WorkloadState.NonCompliant.name());
        assertThat(p.summary()).isEqualTo("not hardened: " + RISK + " (spec.onMemoryRisk: Skip)");
        assertThat(p.changes()).isFalse();
      });
      assertThat(plan.hasChanges()).as("nothing in the manifest would change").isFalse();
    }
  }

  @Test
  void theWebhookWritesNothingForIt() {
    ReadOnlyPolicy skip = policy("web", "{selector: {matchLabels: {tier: web}}, onMemoryRisk: Skip}");
    skip.getMetadata().setUid("uid-web");
    for (TestKind kind : TestKind.values()) {
      HasMetadata o = kind.web("web");
      AdmissionHardening.Mutation d = new AdmissionHardening(
          ns -> List.of(skip), Clock.systemUTC(), SeedPlatform.DEFAULT)
          .decide(new Workload(kind.model(), o), JsonPatches.tree(o), null);
      assertThat(d.patch()).as(kind.toString()).isEmpty();
    }
  }
}
