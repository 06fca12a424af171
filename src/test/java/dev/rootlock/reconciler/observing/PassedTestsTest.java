package dev.rootlock.reconciler.observing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Fixtures;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PassedTestsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  @Test
  void aPassHoldsForTheGenerationItWasSeenAtOnly() {
    PassedTests passes = new PassedTests();
    Workload w = workload("web", "uid-1", 2);
    assertThat(passes.has(w)).isFalse();
    passes.add(w);
    assertThat(passes.has(w)).isTrue();
    assertThat(passes.has(workload("web", "uid-1", 3))).as("a newer change is not the one that passed").isFalse();
    assertThat(passes.has(workload("web", "uid-2", 2))).as("a workload of the same name, recreated").isFalse();
  }

  @Test
  void aDeletedWorkloadIsForgottenAndItsNamespaceWithTheLast() {
    PassedTests passes = new PassedTests();
    Workload kept = workload("a", "uid-a", 2);
    Workload gone = workload("b", "uid-b", 2);
    passes.add(kept);
    passes.add(gone);
    passes.forget(gone);
    assertThat(passes.has(kept)).isTrue();
    assertThat(passes.has(gone)).isFalse();
    passes.forget(kept);
    assertThat(passes.size()).isZero();
    passes.forget(kept); // a second delete event, or one for a workload that never passed
    assertThat(passes.size()).isZero();
  }

  @Test
  void aWindowIsUnwatchedOnlyWhenItEndedBeforeTheFirstReconcile() {
    PassedTests passes = new PassedTests();
    Duration timeout = Duration.ofMinutes(10);
    assertThat(passes.windowEndedUnwatched(T0, timeout)).as("not following yet: nothing is judged").isFalse();
    passes.begin(T0.plus(Duration.ofMinutes(10)));
    passes.begin(T0.plus(Duration.ofHours(1))); // only the first call counts
    assertThat(passes.windowEndedUnwatched(T0, timeout)).isTrue();
    assertThat(passes.windowEndedUnwatched(T0.plusSeconds(1), timeout)).as("a second of it was watched").isFalse();
    assertThat(passes.windowEndedUnwatched(null, timeout)).as("an unknown start").isFalse();
  }

  private static Workload workload(String name, String uid, long generation) {
    Deployment d = Fixtures.web(name);
    d.getMetadata().setNamespace("shop");
    d.getMetadata().setUid(uid);
    d.getMetadata().setGeneration(generation);
    return new Workload(WorkloadKinds.DEPLOYMENT, d);
  }
}
