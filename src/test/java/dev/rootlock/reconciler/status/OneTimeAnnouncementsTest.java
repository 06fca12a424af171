package dev.rootlock.reconciler.status;

import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.testing.SettableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {
  static final String RISK = "tmpfs may use up to 64Mi and app has no memory limit";

  static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  final SettableClock clock = new SettableClock(T0);
  final List<String> recorded = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  final OneTimeAnnouncements announcements = new OneTimeAnnouncements(new EventRecorder(null, "test", Clock.systemUTC()) {
    @Override
    public void record(HasMetadata regarding, String action, String reason, String note, boolean warning) {
      recorded.add(regarding.getMetadata().getName() + " " + reason);
      notes.add(note);
    }
  }, RootlockMetrics.discarding(), clock);
  final ReadOnlyPolicy policy = policy("p", "{selector: {matchLabels: {tier: web}}}");

  static WorkloadOutcome risky(String name, WorkloadState state) {
    return WorkloadOutcome.of("Deployment", name, state, state.name(), "hardened").withWarnings(List.of(RISK));
  }

  @Test
  void warningsAreGatheredOnThePolicyUntilItsRolloutsSettleAndAnnouncedOnce() {
    clock.set(T0);
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Pending), risky("b", WorkloadState.RollingOut)));
    assertThat(recorded).as("rollouts going on: gathered").isEmpty();
    clock.set(T0.plusSeconds(5));
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.RollingOut), risky("b", WorkloadState.Compliant)));
    assertThat(recorded).isEmpty();
    // settled: one Event on the policy names both; an outcome that carries no warnings (a rollback)
    // does not make the next one new
    clock.set(T0.plusSeconds(9));
    announcements.memoryRisks(policy, List.of(WorkloadOutcome.of("Deployment", "a", WorkloadState.RolledBack,
        "RolledBack", "rolled back"), risky("b", WorkloadState.Compliant)));
    clock.set(T0.plusSeconds(12));
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Compliant), risky("b", WorkloadState.Compliant)));

    assertThat(recorded).containsExactly("p MemoryRisk");
    assertThat(notes).containsExactly("2 workloads may run short of memory (spec.memoryShareWarning, "
        + "spec.onMemoryRisk): Deployment a: " + RISK + ", Deployment b: " + RISK);
  }

  @Test
  void aLongWaveAnnouncesWhatItGatheredAfterAMinute() {
    clock.set(T0);
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.RollingOut)));
    clock.set(T0.plusSeconds(59));
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.RollingOut)));
    assertThat(recorded).isEmpty();
    clock.set(T0.plusSeconds(60));
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.RollingOut)));
    assertThat(recorded).containsExactly("p MemoryRisk");
  }

  @Test
  void afterARestartTheStoredStatusSeedsWhatWasAnnouncedAndOnlyThat() {
    ReadOnlyPolicyStatus stored = new ReadOnlyPolicyStatus();
    stored.setWorkloads(List.of(new WorkloadStatus("Deployment", "a", WorkloadState.Compliant,
        "hardened; warning: " + RISK, List.of())));
    policy.setStatus(stored); // "b" is past the status's cap: no entry

    clock.set(T0);
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Compliant), risky("b", WorkloadState.Compliant)));
    clock.set(T0.plusSeconds(1));
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Compliant), risky("b", WorkloadState.Compliant)));

    assertThat(recorded).containsExactly("p MemoryRisk");
    assertThat(notes).singleElement().asString().contains("1 workload ").contains("Deployment b: ")
        .doesNotContain("Deployment a");
  }

  @Test
  void aConditionChangeIsAnnouncedOnceEvenWhileTheStoredStatusLags() {
    ReadOnlyPolicyStatus rollingOut = new StatusAssembler(Clock.systemUTC()).of(policy,
        List.of(risky("a", WorkloadState.RollingOut)), List.of());
    announcements.conditionChanges(policy, rollingOut);
    announcements.conditionChanges(policy, rollingOut); // the stored status (null) never caught up

    assertThat(recorded).containsExactlyInAnyOrder("p RollingOut", "p Healthy");
  }
}
