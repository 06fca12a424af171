package dev.rootlock.reconciler.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.testing.SettableClock;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPaceTest {
  static final ResourceID P = new ResourceID("web", "shop");
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T10:00:00Z"));
  final StatusThrottle pace = new StatusThrottle(clock, Duration.ofSeconds(1));

  @Test
  void progressBetweenTwoInProgressPicturesWaitsForTheInterval() {
    var before = status(WorkloadState.RollingOut, WorkloadState.RollingOut, WorkloadState.Pending);
    var after = status(WorkloadState.Compliant, WorkloadState.RollingOut, WorkloadState.RollingOut);
    assertThat(pace.delay(P, before, after)).as("never written yet").isZero();
    pace.written(P);
    clock.advance(Duration.ofMillis(300));
    assertThat(pace.delay(P, before, after)).isEqualTo(Duration.ofMillis(700));
    clock.advance(Duration.ofMillis(700));
    assertThat(pace.delay(P, before, after)).isZero();
  }

  @Test
  void startingOrEndingRolloutsOrAnythingElseIsWrittenAtOnce() {
    pace.written(P);
    var inProgress = status(WorkloadState.RollingOut, WorkloadState.Pending, WorkloadState.Compliant);
    assertThat(pace.delay(P, inProgress, status(WorkloadState.Compliant, WorkloadState.Compliant,
        WorkloadState.Compliant))).as("the last one completes").isZero();
    assertThat(pace.delay(P, status(WorkloadState.Compliant, WorkloadState.Compliant, WorkloadState.Compliant),
        inProgress)).as("the first one starts").isZero();
    assertThat(pace.delay(P, inProgress, status(WorkloadState.RolledBack, WorkloadState.RollingOut,
        WorkloadState.Compliant))).as("a rollback").isZero();
    assertThat(pace.delay(P, inProgress, status(WorkloadState.RollingOut, WorkloadState.Conflict,
        WorkloadState.Compliant))).as("a conflict").isZero();
  }

  private static ReadOnlyPolicyStatus status(WorkloadState... states) {
    ReadOnlyPolicyStatus s = new ReadOnlyPolicyStatus();
    s.setObservedGeneration(1L);
    List<WorkloadStatus> w = new java.util.ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      w.add(new WorkloadStatus("w" + i, states[i], "m"));
    }
    s.setWorkloads(w);
    return s;
  }
}
