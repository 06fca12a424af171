package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyStatusAssemblerTest {
  final PolicyStatusAssembler assembler = new PolicyStatusAssembler(Clock.systemUTC());

  @Test
  void pastTheCapTheEntriesThatNeedAttentionAreKept() {
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      outcomes.add(Outcome.of("Deployment", String.format("app-%03d", i), WorkloadState.Compliant, "Compliant", "ok"));
    }
    outcomes.set(140, Outcome.of("Deployment", "app-140", WorkloadState.RolledBack, "RolledBack", "rollout failed: x"));
    outcomes.set(145, outcomes.get(145).withLearned(List.of("/var/run/app")));

    ReadOnlyPolicyStatus s = assembler.of(policy("web", "{}"), outcomes, List.of());

    assertThat(s.getMatched()).isEqualTo(150);
    assertThat(s.getCompliant()).isEqualTo(149);
    assertThat(s.getWorkloads()).hasSize(ReadOnlyPolicyStatus.MAX_WORKLOADS)
        .extracting(WorkloadStatus::getName).contains("app-140", "app-145").isSorted();
    assertThat(s.getWorkloads()).filteredOn(w -> w.getName().equals("app-145")).singleElement()
        .satisfies(w -> assertThat(w.getLearnedPaths()).containsExactly("/var/run/app"));
    assertThat(s.getConditions()).filteredOn(c -> c.getType().equals("Ready")).singleElement()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("RolloutFailed"));
    assertThat(s.getConditions()).filteredOn(c -> c.getType().equals("Degraded")).singleElement()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("RolloutFailed"));
  }

  @Test
  void aKeptRolloutFailureIsRolloutFailedInBothConditions() {
    List<Outcome> outcomes = List.of(
        Outcome.of("Deployment", "web", WorkloadState.Failed, Outcome.ROLLOUT_FAILED, "container app ..."),
        Outcome.of("StatefulSet", "api", WorkloadState.RollingOut, "RollingOut", "hardened; rollout in progress"));
    ReadOnlyPolicyStatus s = assembler.of(policy("web", "{}"), outcomes, List.of());
    assertThat(s.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Ready=False/RolloutFailed", "Degraded=True/RolloutFailed");
    assertThat(s.getWorkloads().get(1).getMessage()).startsWith("RolloutFailed: ");
  }
}
