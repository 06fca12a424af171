package dev.rootlock.rollout;

import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Deployment rollout judge on objects as the Deployment controller and the kubelet write them. */
class DeploymentRolloutTest {
  static final DeploymentRollout READER = new DeploymentRollout();
  static final Instant STARTED = Instant.parse("2026-11-26T10:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Test
  void aPausedDeploymentDefersTheChangeAndAnyOtherRollsItOut() {
    Deployment d = web("web");
    assertThat(READER.uptake(d)).isEqualTo(Uptake.ROLL_OUT);
    d.getSpec().setPaused(true);
    assertThat(READER.uptake(d).timing()).isEqualTo(Uptake.Timing.DEFERRED);
    assertThat(READER.uptake(d).note()).contains("paused");
  }

  @Test
  void theControllersNewReplicaSetAvailableMeansComplete() {
    Deployment d = deployment(2, 2, """
        {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3,
         conditions: [{type: Progressing, status: 'True', reason: NewReplicaSetAvailable}]}""");
    assertThat(judge(d, List.of(), List.of(), STARTED.plusSeconds(30))).isInstanceOf(Verdict.Complete.class);
    // A pod that dies later does not reopen it: the condition stays.
    d.getStatus().setAvailableReplicas(2);
    assertThat(READER.isComplete(d, STARTED)).isTrue();
  }

  @Test
  void oldPodsStillRunningMeanNotComplete() {
    Deployment d = deployment(2, 3, """
        {observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3,
         conditions: [{type: Progressing, status: 'True', reason: NewReplicaSetAvailable}]}""");
    assertThat(judge(d, List.of(), List.of(), STARTED.plusSeconds(30)))
        .isEqualTo(new Verdict.InProgress("3 of 3 pods updated, 3 available"));
  }

  @Test
  void withoutAProgressingConditionTheCountsDecide() {
    assertThat(READER.isComplete(deployment(2, 2,
        "{observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2}"), STARTED)).isTrue();
    assertThat(READER.isComplete(deployment(2, 2,
        "{observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1}"), STARTED)).isFalse();
  }

  @Test
  void anUnobservedGenerationIsWaitingForTheController() {
    Deployment d = deployment(3, 1, """
        {observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1,
         conditions: [{type: Progressing, status: 'True', reason: NewReplicaSetAvailable}]}""");
    assertThat(READER.isComplete(d, STARTED)).as("complete for the previous generation only").isFalse();
    assertThat(judge(d, null, null, STARTED.plusSeconds(1)))
        .isEqualTo(new Verdict.InProgress("waiting for the Deployment controller to see the change"));
  }

  @Test
  void aCrashLoopingNewPodFailsWithTheDiagnosedPath() {
    Deployment d = inProgress();
    ReplicaSet current = replicaSet(d, "web-new", "uid-new", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    ReplicaSet old = replicaSet(d, "web-old", "uid-old", "nginx:old");
    Pod crashing = pod("web-new-1", "uid-new", """
        {containerStatuses: [{name: app, restartCount: 3,
          state: {waiting: {reason: CrashLoopBackOff}},
          lastState: {terminated: {exitCode: 1, reason: Error,
            message: "nginx: [emerg] mkdir() \\"/var/cache/nginx/client_temp\\" failed (30: Read-only file system)"}}}]}""");
    Pod oldCrash = pod("web-old-1", "uid-old", """
        {containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}}]}""");

    Verdict v = judge(d, List.of(old, current), List.of(oldCrash, crashing), STARTED.plusSeconds(20));

    assertThat(v).isInstanceOf(Verdict.Failed.class);
    assertThat(((Verdict.Failed) v).message()).isEqualTo("container app failed writing /var/cache/nginx/client_temp "
        + "(read-only file system); add /var/cache/nginx to cachePaths (pod web-new-1: container app is in "
        + "CrashLoopBackOff (exit code 1, Error))");
    assertThat(judge(d, List.of(old, current), List.of(oldCrash), STARTED.plusSeconds(20)))
        .as("a crash in an old pod is not this rollout's").isInstanceOf(Verdict.InProgress.class);
  }

  @Test
  void aContainerThatEndedWithAnErrorFailsEvenBeforeBackOff() {
    Deployment d = inProgress();
    ReplicaSet current = replicaSet(d, "web-new", "uid-new", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    Pod oom = pod("web-new-1", "uid-new", """
        {containerStatuses: [{name: app, state: {terminated: {exitCode: 137, reason: OOMKilled}}}]}""");
    Verdict v = judge(d, List.of(current), List.of(oom), STARTED.plusSeconds(5));
    assertThat(((Verdict.Failed) v).message()).isEqualTo("pod web-new-1: container app terminated with an error "
        + "(exit code 137, OOMKilled)");
    Pod fine = pod("web-new-1", "uid-new", """
        {containerStatuses: [{name: app, state: {terminated: {exitCode: 0, reason: Completed}}}]}""");
    assertThat(judge(d, List.of(current), List.of(fine), STARTED.plusSeconds(5))).isInstanceOf(Verdict.InProgress.class);
  }

  @Test
  void theProgressDeadlineIsAFailure() {
    Deployment d = deployment(2, 1, """
        {observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1,
         conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded,
                       message: 'ReplicaSet "web-new" has timed out progressing.'}]}""");
    assertThat(((Verdict.Failed) judge(d, List.of(), List.of(), STARTED.plusSeconds(700))).message())
        .isEqualTo("the Deployment controller reports ProgressDeadlineExceeded: ReplicaSet \"web-new\" has timed out "
            + "progressing.");
  }

  @Test
  void theTimeoutCountsFromTheWrite() {
    Deployment d = inProgress();
    assertThat(judge(d, List.of(), List.of(), STARTED.plus(TIMEOUT))).isInstanceOf(Verdict.InProgress.class);
    assertThat(((Verdict.Failed) judge(d, List.of(), List.of(), STARTED.plus(TIMEOUT).plusSeconds(1))).message())
        .isEqualTo("the rollout did not complete within 10m (0 of 1 pods updated, 0 available)");
  }

  @Test
  void aConditionFromBeforeTheWriteIsNotThisRollouts() {
    // Recreate: the old pods are gone, the new ReplicaSet not created yet, and the condition is
    // still the one the previous rollout left.
    Deployment recreate = deployment(2, 1, """
        {observedGeneration: 2, replicas: 0, updatedReplicas: 0, availableReplicas: 0,
         conditions: [{type: Progressing, status: 'True', reason: NewReplicaSetAvailable,
                       lastUpdateTime: '2026-11-20T08:00:00Z'}]}""");
    assertThat(READER.isComplete(recreate, STARTED)).isFalse();
    recreate.getStatus().setReplicas(1);
    recreate.getStatus().setUpdatedReplicas(1);
    assertThat(READER.isComplete(recreate, STARTED)).as("the new pod not available yet, condition stale").isFalse();
    // The real controller keeps a condition whose status and reason do not change, times and all:
    // a Recreate rollout that no status write caught in progress ends with the old condition.
    recreate.getStatus().setAvailableReplicas(1);
    assertThat(READER.isComplete(recreate, STARTED)).as("condition stale: the counts decide, as kubectl's").isTrue();
    recreate.getStatus().getConditions().get(0).setLastUpdateTime("2026-11-26T10:00:30Z");
    recreate.getStatus().getConditions().get(0).setReason("ReplicaSetUpdated");
    assertThat(READER.isComplete(recreate, STARTED)).as("a condition of this rollout decides").isFalse();

    // A deadline the user's own earlier rollout hit is not a failure of Rootlock's.
    Deployment stuckBefore = deployment(2, 1, """
        {observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1,
         conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded,
                       lastUpdateTime: '2026-11-25T08:00:00Z'}]}""");
    assertThat(judge(stuckBefore, List.of(), List.of(), STARTED.plusSeconds(30))).isInstanceOf(Verdict.InProgress.class);
  }

  @Test
  void podsOfAReusedReplicaSetsEarlierLifeAreNotBlamed() {
    Deployment d = inProgress();
    ReplicaSet reused = replicaSet(d, "web-new", "uid-new", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    Pod terminating = pod("web-new-old", "uid-new", """
        {containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}}]}""");
    terminating.getMetadata().setDeletionTimestamp("2026-11-26T10:00:05Z");
    Pod earlier = pod("web-new-earlier", "uid-new", """
        {containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}}]}""");
    earlier.getMetadata().setCreationTimestamp("2026-11-26T09:00:00Z");
    assertThat(judge(d, List.of(reused), List.of(terminating, earlier), STARTED.plusSeconds(20)))
        .isInstanceOf(Verdict.InProgress.class);
  }

  @Test
  void withoutAProgressDeadlineALostPodAfterTheRolloutIsNoTimeout() {
    Deployment d = deployment(2, 3,
        "{observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2}");
    assertThat(judge(d, List.of(), List.of(), STARTED.plus(Duration.ofDays(3)))).isInstanceOf(Verdict.InProgress.class);
    d.getStatus().setUpdatedReplicas(1);
    assertThat(judge(d, List.of(), List.of(), STARTED.plus(Duration.ofDays(3)))).isInstanceOf(Verdict.Failed.class);
  }

  // --- objects as the controllers write them -------------------------------------------------

  @Test
  void podsAreListedOnlyOnceTheStatusStoodStillAndReplicaSetsOnlyForACrash() {
    Deployment d = inProgress();
    // the controller last reported progress 4 s after Rootlock's write
    d.getStatus().getConditions().get(0).setLastUpdateTime(STARTED.plusSeconds(4).toString());
    ReplicaSet current = replicaSet(d, "web-new", "uid-new", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    Pod starting = pod("web-new-1", "uid-new", "{containerStatuses: [{name: app, state: {waiting: {reason: ContainerCreating}}}]}");
    Counting related = new Counting(List.of(current, starting), Duration.ofSeconds(10));

    Verdict moving = READER.judge(d, related, STARTED, STARTED.plusSeconds(13), TIMEOUT);
    assertThat(related.asked).as("status moved 9 s ago: nothing listed").isEmpty();
    assertThat(moving).isEqualTo(new Verdict.InProgress("0 of 1 pods updated, 0 available", STARTED.plusSeconds(14)));

    Verdict still = READER.judge(d, related, STARTED, STARTED.plusSeconds(14), TIMEOUT);
    assertThat(related.asked).as("stood still 10 s: the pods, once; no crash, so no ReplicaSets")
        .containsExactly("Pod");
    assertThat(((Verdict.InProgress) still).lookAt()).isEqualTo(STARTED.plusSeconds(24));

    Pod crashing = pod("web-new-1", "uid-new", """
        {containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}},
          lastState: {terminated: {exitCode: 1, reason: Error, message: "mkdir /cache: read-only file system"}}}]}""");
    Counting crashed = new Counting(List.of(current, crashing), Duration.ofSeconds(10));
    assertThat(READER.judge(d, crashed, STARTED, STARTED.plusSeconds(24), TIMEOUT)).isInstanceOf(Verdict.Failed.class);
    assertThat(crashed.asked).as("a crash among the pods: the ReplicaSets tell whose").containsExactly("Pod", "ReplicaSet");
  }

  /** Fixed objects behind a quiet period, remembering what was asked. */
  private static final class Counting implements Related {
    final List<String> asked = new java.util.ArrayList<>();
    final Related objects;
    final Duration quiet;

    Counting(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects, Duration quiet) {
      this.objects = Related.of(objects);
      this.quiet = quiet;
    }

    @Override
    public <T extends io.fabric8.kubernetes.api.model.HasMetadata> List<T> list(Class<T> type,
        io.fabric8.kubernetes.api.model.LabelSelector selector) {
      asked.add(type.getSimpleName());
      return objects.list(type, selector);
    }

    @Override
    public Duration quiet() {
      return quiet;
    }
  }

  private static Verdict judge(Deployment d, List<ReplicaSet> rs, List<Pod> pods, Instant now) {
    Related related = rs == null || pods == null ? Related.UNKNOWN
        : Related.of(java.util.stream.Stream.concat(rs.stream(), pods.stream()).toList());
    return READER.judge(d, related, STARTED, now, TIMEOUT);
  }

  private static Deployment inProgress() {
    return deployment(2, 1, """
        {observedGeneration: 2, replicas: 2, updatedReplicas: 0, availableReplicas: 0,
         conditions: [{type: Progressing, status: 'True', reason: ReplicaSetUpdated}]}""");
  }

  private static Deployment deployment(long generation, int replicas, String status) {
    Deployment d = web("web");
    d.getMetadata().setGeneration(generation);
    d.getMetadata().setUid("uid-deployment");
    d.getSpec().setReplicas(replicas);
    d.setStatus(Manifests.parse(status, DeploymentStatus.class));
    return d;
  }

  private static ReplicaSet replicaSet(Deployment d, String name, String uid, String image) {
    var template = new PodTemplateSpecBuilder(d.getSpec().getTemplate()).editMetadata()
        .addToLabels("pod-template-hash", name).endMetadata().build();
    template.getSpec().getContainers().get(0).setImage(image);
    ReplicaSet rs = Manifests.parse("""
        metadata: {name: %s, uid: %s, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web,
          uid: uid-deployment, controller: true}]}
        spec: {selector: {matchLabels: {app: web}}}""".formatted(name, uid), ReplicaSet.class);
    rs.getSpec().setTemplate(template);
    return rs;
  }

  private static Pod pod(String name, String rsUid, String status) {
    return Manifests.parse("""
        metadata: {name: %s, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: %s}]}
        status: %s""".formatted(name, rsUid, status), Pod.class);
  }
}
