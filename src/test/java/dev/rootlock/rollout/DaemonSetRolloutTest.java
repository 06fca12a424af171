package dev.rootlock.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DaemonSet reader on objects as the DaemonSet controller and the kubelet write them. */
class DaemonSetRolloutTest {
  static final DaemonSetRollout READER = new DaemonSetRollout();
  static final Instant STARTED = Instant.parse("2026-11-26T10:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Test
  void completeWhenEveryNodeRunsTheNewTemplateAndIsAvailableWhichIsRecorded() {
    DaemonSet d = daemonSet("{observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, "
        + "numberAvailable: 2}");
    assertThat(READER.judge(d, Related.of(List.of()), STARTED, STARTED.plusSeconds(5), TIMEOUT))
        .isEqualTo(new Verdict.InProgress("3 of 3 nodes updated, 2 available"));
    d.getStatus().setNumberAvailable(3);
    assertThat(READER.judge(d, Related.UNKNOWN, STARTED, STARTED.plusSeconds(5), TIMEOUT))
        .isEqualTo(new Verdict.Complete());
    d.getStatus().setDesiredNumberScheduled(4); // a node joined: its pod is made from the current template
    d.getStatus().setUpdatedNumberScheduled(4);
    assertThat(READER.couldHavePassed(d)).isTrue();
    d.getStatus().setUpdatedNumberScheduled(3); // or a rolling update stalled with a node on the old template
    assertThat(READER.couldHavePassed(d)).isFalse();
    d.getStatus().setUpdatedNumberScheduled(4);
    d.getStatus().setNumberAvailable(0); // or every new pod is unavailable
    assertThat(READER.couldHavePassed(d)).isFalse();
  }

  @Test
  void noNodeToRunOnIsCompleteAtOnceOnceObserved() {
    assertThat(READER.isComplete(daemonSet("{observedGeneration: 2, desiredNumberScheduled: 0}"), STARTED)).isTrue();
    assertThat(READER.isComplete(daemonSet("{observedGeneration: 1, desiredNumberScheduled: 0}"), STARTED)).isFalse();
  }

  @Test
  void onlyPodsOfTheNewGenerationAreBlamedAndOnDeleteDefers() {
    DaemonSet d = daemonSet("{observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 1, "
        + "numberAvailable: 1}");
    Pod old = pod("agent-a", "1");
    Pod current = pod("agent-b", "2");
    assertThat(READER.judge(d, Related.of(List.of(old)), STARTED, STARTED.plusSeconds(5), TIMEOUT))
        .isInstanceOf(Verdict.InProgress.class);
    assertThat(((Verdict.Failed) READER.judge(d, Related.of(List.of(old, current)), STARTED, STARTED.plusSeconds(5),
        TIMEOUT)).evidence()).isEqualTo("pod agent-b: container app is in CrashLoopBackOff (exit code 1, Error)");
    d.getSpec().setUpdateStrategy(Manifests.parse("{type: OnDelete}",
        io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy.class));
    assertThat(READER.uptake(d)).isEqualTo(Uptake.ON_DELETE);
  }

  @Test
  void theTimeoutCountsUntilComplete() {
    DaemonSet d = daemonSet("{observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, "
        + "numberAvailable: 0}");
    assertThat(((Verdict.Failed) READER.judge(d, Related.of(List.of()), STARTED, STARTED.plus(TIMEOUT).plusSeconds(1),
        TIMEOUT)).message()).isEqualTo("the rollout did not complete within 10m (2 of 2 nodes updated, 0 available)");
  }

  @Test
  void withMaxSurgeAnAvailableCountIsNoSignOfAPass() {
    DaemonSet d = daemonSet("{observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, "
        + "numberAvailable: 3}");
    d.getStatus().setNumberAvailable(2);
    assertThat(READER.couldHavePassed(d)).isTrue();
    d.getSpec().setUpdateStrategy(Manifests.parse("{type: RollingUpdate, rollingUpdate: {maxSurge: 1, "
        + "maxUnavailable: 0}}", io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy.class));
    assertThat(READER.couldHavePassed(d)).as("an old pod kept beside a new one that never got ready counts as "
        + "available").isFalse();
    assertThat(READER.relatedKnown(d, Related.UNKNOWN)).isFalse();
    assertThat(READER.relatedKnown(d, Related.of(List.of()))).isTrue();
  }

  private static DaemonSet daemonSet(String status) {
    DaemonSet d = (DaemonSet) TestKind.DAEMON_SET.web("agent");
    d.getMetadata().setGeneration(2L);
    d.getMetadata().setUid("uid-agent");
    d.setStatus(Manifests.parse(status, DaemonSetStatus.class));
    return d;
  }

  private static Pod pod(String name, String generation) {
    return Manifests.parse("""
        metadata: {name: %s, labels: {pod-template-generation: "%s"},
          ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: uid-agent, controller: true}]}
        status: {containerStatuses: [{name: app, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff}},
          lastState: {terminated: {exitCode: 1, reason: Error, message: oops}}}]}
        """.formatted(name, generation), Pod.class);
  }
}
