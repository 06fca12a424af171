package dev.rootlock.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The StatefulSet reader on objects as the StatefulSet controller and the kubelet write them. */
class StatefulSetRolloutTest {
  static final StatefulSetRollout READER = new StatefulSetRollout();
  static final Instant STARTED = Instant.parse("2026-11-26T10:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Test
  void completeWhenTheControllerMovedTheCurrentRevisionAndThatLasts() {
    StatefulSet s = set(3, null, "{observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 3, "
        + "currentRevision: db-old, updateRevision: db-new}");
    assertThat(READER.isComplete(s, STARTED)).as("every pod updated, one not ready yet").isFalse();
    s.getStatus().setReadyReplicas(3);
    s.getStatus().setCurrentRevision("db-new");
    assertThat(READER.judge(s, Related.UNKNOWN, STARTED, STARTED.plusSeconds(9), TIMEOUT))
        .isEqualTo(new Verdict.Complete());
    assertThat(READER.couldHavePassed(s)).as("short of complete, a StatefulSet without a partition never was")
        .isFalse();
    s.getStatus().setReadyReplicas(2); // a pod lost an hour later
    assertThat(READER.isComplete(s, STARTED)).isTrue();
  }

  @Test
  void withAPartitionOnlyTheOrdinalsFromItUpUpdateAndCompletionIsRecorded() {
    StatefulSet s = set(3, 1, "{observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 1, "
        + "currentRevision: db-old, updateRevision: db-new}");
    assertThat(READER.judge(s, Related.of(List.of()), STARTED, STARTED.plusSeconds(9), TIMEOUT))
        .isEqualTo(new Verdict.InProgress("1 of 2 pods updated (ordinals from 1 up; "
            + "spec.updateStrategy.rollingUpdate.partition), 3 of 3 ready"));
    s.getStatus().setUpdatedReplicas(2);
    assertThat(READER.judge(s, Related.UNKNOWN, STARTED, STARTED.plusSeconds(9), TIMEOUT))
        .as("the revisions never meet with a partition: nothing on it keeps saying complete")
        .isEqualTo(new Verdict.Complete());
    s.getStatus().setReadyReplicas(2); // a pod lost later
    assertThat(READER.couldHavePassed(s)).isTrue();
    s.getStatus().setUpdatedReplicas(1); // a rollout stalled at its first ordinal
    assertThat(READER.couldHavePassed(s)).isFalse();
    assertThat(READER.uptake(s)).isEqualTo(Uptake.ROLL_OUT);
  }

  @Test
  void onDeleteAndAPartitionAtOrAboveTheReplicasDeferTheChange() {
    StatefulSet onDelete = set(3, null, "{}");
    onDelete.getSpec().getUpdateStrategy().setType("OnDelete");
    assertThat(READER.uptake(onDelete)).isEqualTo(Uptake.ON_DELETE);
    assertThat(READER.uptake(set(3, 3, "{}")).note()).contains("partition (3) is not below its replicas (3)");
    assertThat(READER.uptake(set(3, 2, "{}"))).isEqualTo(Uptake.ROLL_OUT);
  }

  @Test
  void aCrashOfAPodOfTheNewRevisionFailsAndOneOfTheOldDoesNot() {
    StatefulSet s = set(2, null, "{observedGeneration: 2, replicas: 2, readyReplicas: 1, updatedReplicas: 1, "
        + "currentRevision: db-old, updateRevision: db-new}");
    Pod old = pod("db-0", "db-old", "uid-db");
    Pod updated = pod("db-1", "db-new", "uid-db");
    Pod stranger = pod("db-1", "db-new", "uid-other");
    assertThat(READER.judge(s, Related.of(List.of(old, stranger)), STARTED, STARTED.plusSeconds(9), TIMEOUT))
        .isInstanceOf(Verdict.InProgress.class);
    Verdict v = READER.judge(s, Related.of(List.of(old, updated)), STARTED, STARTED.plusSeconds(9), TIMEOUT);
    assertThat(((Verdict.Failed) v).message()).isEqualTo("container app failed writing /var/lib/db/x "
        + "(read-only file system); add /var/lib/db to cachePaths (pod db-1: container app is in CrashLoopBackOff "
        + "(exit code 1, Error))");
  }

  @Test
  void theTimeoutCountsUntilComplete() {
    StatefulSet s = set(1, null, "{observedGeneration: 2, replicas: 1, readyReplicas: 0, updatedReplicas: 1, "
        + "currentRevision: db-old, updateRevision: db-new}");
    assertThat(READER.judge(s, Related.of(List.of()), STARTED, STARTED.plus(TIMEOUT), TIMEOUT))
        .isInstanceOf(Verdict.InProgress.class);
    assertThat(((Verdict.Failed) READER.judge(s, Related.of(List.of()), STARTED, STARTED.plus(TIMEOUT).plusSeconds(1),
        TIMEOUT)).message()).isEqualTo("the rollout did not complete within 10m (1 of 1 pods updated, 0 of 1 ready)");
    StatefulSet unseen = set(1, null, "{observedGeneration: 1}");
    assertThat(READER.judge(unseen, Related.UNKNOWN, STARTED, STARTED.plusSeconds(1), TIMEOUT))
        .isEqualTo(new Verdict.InProgress("waiting for the StatefulSet controller to see the change"));
  }

  @Test
  void aCanaryWhoseOneUpdatedPodNeverGotReadyIsNoPass() {
    StatefulSet canary = set(3, 2, "{observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 1, "
        + "currentRevision: db-old, updateRevision: db-new}");
    assertThat(READER.couldHavePassed(canary)).as("the two ready pods are the old ones below the partition")
        .isFalse();
    canary.getStatus().setReadyReplicas(3);
    assertThat(READER.isComplete(canary, STARTED)).isTrue();
  }

  private static StatefulSet set(int replicas, Integer partition, String status) {
    StatefulSet s = (StatefulSet) TestKind.STATEFUL_SET.web("db");
    s.getMetadata().setGeneration(2L);
    s.getMetadata().setUid("uid-db");
    s.getSpec().setReplicas(replicas);
    s.getSpec().setUpdateStrategy(Manifests.parse(partition == null ? "{type: RollingUpdate}"
        : "{type: RollingUpdate, rollingUpdate: {partition: " + partition + "}}",
        io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy.class));
    s.setStatus(Manifests.parse(status, StatefulSetStatus.class));
    return s;
  }

  static Pod pod(String name, String revision, String ownerUid) {
    return Manifests.parse("""
        metadata: {name: %s, labels: {controller-revision-hash: %s},
          ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: %s, controller: true}]}
        status: {containerStatuses: [{name: app, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff}},
          lastState: {terminated: {exitCode: 1, reason: Error,
            message: "touch: cannot touch '/var/lib/db/x': Read-only file system"}}}]}
        """.formatted(name, revision, ownerUid), Pod.class);
  }
}
