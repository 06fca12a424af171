package dev.rootlock.reconciler.status;

import static dev.rootlock.testing.Fixtures.deployment;
import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {
  static final String RISK = "tmpfs may use up to 64Mi and app has no memory limit";

  final List<String> recorded = new ArrayList<>();
  final OneTimeAnnouncements announcements = new OneTimeAnnouncements(new EventRecorder(null, "test", Clock.systemUTC()) {
    @Override
    public void record(HasMetadata regarding, String action, String reason, String note, boolean warning) {
      recorded.add(regarding.getMetadata().getName() + " " + reason);
    }
  }, RootlockMetrics.discarding());
  final ReadOnlyPolicy policy = policy("p", "{selector: {matchLabels: {tier: web}}}");

  static WorkloadOutcome risky(String name, WorkloadState state) {
    return WorkloadOutcome.of("Deployment", name, state, state.name(), "hardened").withWarnings(List.of(RISK));
  }

  Map<String, Workload> workloads(String... names) {
    Map<String, Workload> out = new java.util.HashMap<>();
    for (String n : names) {
      out.put("Deployment/" + n, new Workload(WorkloadKinds.DEPLOYMENT,
          deployment(n, "{tier: web}", "{containers: [{name: app, image: app:1}]}")));
    }
    return out;
  }

  @Test
  void aWarningIsAnnouncedOnceWhateverTheOutcomesInBetween() {
    var all = workloads("a");
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Pending)), () -> all);
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.RollingOut)), () -> all);
    // an outcome that carries no warnings (a rollback) does not make the next one new
    announcements.memoryRisks(policy, List.of(WorkloadOutcome.of("Deployment", "a", WorkloadState.RolledBack, "RolledBack",
        "rolled back")), () -> all);
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Compliant)), () -> all);

    assertThat(recorded).containsExactly("a MemoryRisk");
  }

  @Test
  void afterARestartTheStoredStatusSeedsWhatWasAnnouncedAndOnlyThat() {
    ReadOnlyPolicyStatus stored = new ReadOnlyPolicyStatus();
    stored.setWorkloads(List.of(new WorkloadStatus("Deployment", "a", WorkloadState.Compliant,
        "hardened; warning: " + RISK, List.of())));
    policy.setStatus(stored); // "b" is past the status's cap: no entry
    var all = workloads("a", "b");

    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Compliant), risky("b", WorkloadState.Compliant)),
        () -> all);
    announcements.memoryRisks(policy, List.of(risky("a", WorkloadState.Compliant), risky("b", WorkloadState.Compliant)),
        () -> all);

    assertThat(recorded).containsExactly("b MemoryRisk");
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
