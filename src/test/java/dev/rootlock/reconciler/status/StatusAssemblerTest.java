package dev.rootlock.reconciler.status;

import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyStatusAssemblerTest {
  final StatusAssembler assembler = new StatusAssembler(Clock.systemUTC());

  @Test
  void pastTheCapTheEntriesThatNeedAttentionAreKept() {
    List<WorkloadOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      outcomes.add(WorkloadOutcome.of("Deployment", String.format("app-%03d", i), WorkloadState.Compliant, "Compliant", "ok"));
    }
    outcomes.set(140, WorkloadOutcome.of("Deployment", "app-140", WorkloadState.RolledBack, "RolledBack", "rollout failed: x"));
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
    List<WorkloadOutcome> outcomes = List.of(
        WorkloadOutcome.of("Deployment", "web", WorkloadState.Failed, WorkloadOutcome.ROLLOUT_FAILED, "container app ..."),
        WorkloadOutcome.of("StatefulSet", "api", WorkloadState.RollingOut, "RollingOut", "hardened; rollout in progress"));
    ReadOnlyPolicyStatus s = assembler.of(policy("web", "{}"), outcomes, List.of());
    assertThat(s.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Ready=False/RolloutFailed", "Degraded=True/RolloutFailed");
    assertThat(s.getWorkloads().get(1).getMessage()).startsWith("RolloutFailed: ");
  }
}
