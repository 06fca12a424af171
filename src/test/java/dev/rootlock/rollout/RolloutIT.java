package dev.rootlock.rollout;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.ClusterControllers.App;
import dev.rootlock.testing.ClusterControllers.Run;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rollout safety against the mock API server, for every kind, with the controllers and kubelet
 * played by {@link dev.rootlock.testing.ClusterControllers}: crashes, slow starts, progress
 * deadlines, a CronJob's Job, and successes as a real cluster reports them.
 */
class RolloutIT {
  static final String NGINX_CRASH =
      "2026/11/26 10:00:00 [emerg] 1#1: mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)";
  static final String CONF_D_CRASH =
      "sed: can't create temp file '/etc/nginx/conf.d/default.confXXXXXX': Read-only file system";
  static final String PID_CRASH = "sh: can't create /var/run/app/app.pid: Read-only file system";
  static final String JAVA_CRASH =
      "java.nio.file.FileSystemException: /opt/app/work/session.lock: Read-only file system";

  Cluster cluster;
  RootlockOperator rootlock;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aCrashIsRolledBackToTheExactTemplateWithTheMissingPathNamedAndNotRetried(TestKind kind) {
    HasMetadata original = cluster.create(kind.web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    WorkloadStatus w = workload("p", "web");
    assertThat(w.getMessage())
        .contains("container app failed writing /var/cache/nginx/client_temp (read-only file system); "
            + "add /var/cache/nginx to cachePaths")
        .contains(kind == TestKind.CRON_JOB ? "terminated with an error (exit code 1, Error)" : "CrashLoopBackOff")
        .endsWith("not retried until the policy spec or the " + kind.kind() + "'s pod template changes");
    HasMetadata after = get(kind);
    assertThat(JsonPatches.tree(template(kind, after)))
        .as("the pod template is exactly what it was before hardening")
        .isEqualTo(JsonPatches.tree(template(kind, original)));
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Annotations.REVERT)
        .containsEntry(Annotations.OWNER, "p").containsKey(Annotations.ROLLOUT);
    Condition ready = condition("p", "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("RolloutFailed");
    assertThat(condition("p", "Degraded").getReason()).isEqualTo("RolloutFailed");
    assertThat(rollbacks()).isEqualTo(1.0);
    eventually(() -> assertThat(events("RolledBack")).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"))
        .satisfies(e -> assertThat(e.getRegarding().getName()).isEqualTo("web"))
        .satisfies(e -> assertThat(e.getRegarding().getKind()).isEqualTo(kind.kind())));

    // No loop: resyncs (every second here) and the rollback's own rollout change nothing.
    Cluster.settle(Duration.ofSeconds(4));
    assertThat(appliedWrites(kind, "web")).as("one hardening, one rollback").isEqualTo(2);
    assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack);
    assertThat(rollbacks()).isEqualTo(1.0);

    // Declaring the path changes the spec: hardening is tried again, and this time holds.
    edit("p", p -> p.getSpec().setCachePaths(List.of("/var/cache/nginx")));
    awaitSettled(kind, "web");
    assertThat(appliedWrites(kind, "web")).isEqualTo(3);
    assertThat(condition("p", "Ready").getStatus()).isEqualTo("True");
    assertThat(get(kind).getMetadata().getAnnotations().getOrDefault(Annotations.ROLLOUT, ""))
        .doesNotContain("rolledBack");
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aChangeToTheWorkloadsOwnTemplateLetsHardeningTryAgain(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));

    // The team ships a version that no longer writes there.
    cluster.controllers().app("web", App.writing("app", Map.of()));
    cluster.edit(kind, NS, "web", o -> template(kind, o).getSpec().getContainers().get(0).setImage("nginx:1.27-fixed"));

    awaitSettled(kind, "web");
    Container app = template(kind, get(kind)).getSpec().getContainers().get(0);
    assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(app.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void keepLeavesTheHardeningInPlaceAndReportsTheFailure(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {onFailure: Keep}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.Failed));
    assertThat(workload("p", "web").getMessage()).startsWith("RolloutFailed: container app failed writing")
        .contains("spec.rollout.onFailure: Keep");
    assertThat(template(kind, get(kind)).getSpec().getContainers().get(0)
        .getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(condition("p", "Ready").getReason()).isEqualTo("RolloutFailed");
    Cluster.settle(Duration.ofSeconds(2));
    assertThat(appliedWrites(kind, "web")).isEqualTo(1);
    assertThat(rollbacks()).isZero();
  }

  @Test
  void aProgressDeadlineIsAFailure() {
    TestKind kind = TestKind.DEPLOYMENT; // the one controller that gives up on a rollout by itself
    cluster.create(kind.web("web"));
    cluster.controllers().app("web", t -> isHardened(t) ? new Run.Stuck(Duration.ofMillis(500))
        : new Run.Healthy(Duration.ZERO));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(workload("p", "web").getMessage()).contains("ProgressDeadlineExceeded");
  }

  @ParameterizedTest
  @EnumSource(value = TestKind.class, names = {"DEPLOYMENT", "STATEFUL_SET", "DAEMON_SET"})
  void aRolloutThatOutlivesTheTimeoutIsAFailure(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.controllers().app("web", t -> isHardened(t) ? new Run.Silent() : new Run.Healthy(Duration.ZERO));
    start(Settings.defaults().withResync(Duration.ofMinutes(10))); // only the timeout can wake it
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {timeout: 2s}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RollingOut));
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(workload("p", "web").getMessage()).contains("did not complete within 2s");
  }

  @Test
  void aCronJobWaitingForItsScheduleIsCompliantHoldsNoSlotAndNeverTimesOut() {
    TestKind kind = TestKind.CRON_JOB;
    cluster.create(kind.web("web"));
    cluster.create(kind.web("nightly"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)))
        .app("nightly", App.writing("app", Map.of()))
        .jobAfter("web", Duration.ofSeconds(4)).jobAfter("nightly", Duration.ofSeconds(4));
    start(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: 1, timeout: 1s}}"));

    // Both hardened at once (no rollout slot taken) and compliant while their schedule is not due.
    eventually(() -> {
      assertThat(status("p").getWorkloads()).allSatisfy(w -> {
        assertThat(w.getState()).isEqualTo(WorkloadState.Compliant);
        assertThat(w.getMessage()).endsWith("its next Job is the test of this change (none has started yet)");
      });
      assertThat(status("p").getCompliant()).isEqualTo(2);
    });
    assertThat(condition("p", "Ready").getStatus()).isEqualTo("True");
    Cluster.settle(Duration.ofSeconds(2)); // longer than the timeout: waiting for a schedule never times out
    assertThat(status("p").getWorkloads()).allSatisfy(w -> assertThat(w.getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(rollbacks()).isZero();

    // The first Job after the change is the test: one crashes on the read-only root, one passes.
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(workload("p", "web").getMessage()).contains("add /var/cache/nginx to cachePaths").contains("Job web-");
    awaitSettled(kind, "nightly");
    assertThat(appliedWrites(kind, "nightly")).as("the hardening only: its passed test is remembered, not written")
        .isEqualTo(1);
  }

  @Test
  void aPartitionedStatefulSetIsCompleteOnceTheOrdinalsFromThePartitionUpAreUpdated() {
    TestKind kind = TestKind.STATEFUL_SET;
    HasMetadata s = kind.web("db");
    ((io.fabric8.kubernetes.api.model.apps.StatefulSet) s).getSpec().setReplicas(3);
    ((io.fabric8.kubernetes.api.model.apps.StatefulSet) s).getSpec().setUpdateStrategy(
        new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder().withType("RollingUpdate")
            .withNewRollingUpdate().withPartition(1).endRollingUpdate().build());
    cluster.controllers().app("db", t -> new Run.Healthy(Duration.ofMillis(1500)));
    cluster.create(s);
    cluster.controllers().awaitIdleAndResetCounts(Duration.ofSeconds(10));
    start();
    List<WorkloadState> seen = new CopyOnWriteArrayList<>();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> {
      seen.add(workload("p", "db").getState());
      assertThat(workload("p", "db").getState()).isEqualTo(WorkloadState.Compliant);
    });
    assertThat(seen).contains(WorkloadState.RollingOut);
    var revisions = cluster.client().pods().inNamespace(NS).list().getItems().stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getLabels()
            .get("controller-revision-hash")));
    assertThat(revisions.get("db-1")).isEqualTo(revisions.get("db-2")).isNotEqualTo(revisions.get("db-0"));
    assertThat(appliedWrites(kind, "db")).as("the hardening only: its completion is remembered, not written")
        .isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(value = TestKind.class, names = {"STATEFUL_SET", "DAEMON_SET"})
  void onDeleteIsHardenedAtOnceNeverFollowedAndNeverRolledBack(TestKind kind) {
    HasMetadata o = kind.web("agent");
    if (o instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
      s.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
          .withType("OnDelete").build());
    } else {
      ((io.fabric8.kubernetes.api.model.apps.DaemonSet) o).getSpec().setUpdateStrategy(
          new io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder().withType("OnDelete").build());
    }
    cluster.create(o);
    cluster.controllers().awaitObserved(Duration.ofSeconds(10));
    // Were its pods replaced, this app would crash on the read-only root.
    cluster.controllers().app("agent", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {timeout: 1s}}"));

    eventually(() -> {
      WorkloadStatus w = workload("p", "agent");
      assertThat(w.getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(w.getMessage()).endsWith("its update strategy is OnDelete, so each pod picks the change up when "
          + "it is deleted");
    });
    Cluster.settle(Duration.ofSeconds(2));
    assertThat(workload("p", "agent").getState()).isEqualTo(WorkloadState.Compliant);
    assertThat(condition("p", "Ready").getStatus()).isEqualTo("True");
    assertThat(appliedWrites(kind, "agent")).isEqualTo(1);
    assertThat(rollbacks()).isZero();
    assertThat(template(kind, get(kind, "agent")).getSpec().getContainers().get(0).getSecurityContext()
        .getReadOnlyRootFilesystem()).isTrue();
  }

  @Test
  void aDaemonSetThatShouldRunNowhereIsCompleteAtOnce() {
    TestKind kind = TestKind.DAEMON_SET;
    cluster.controllers().nodes(0);
    cluster.create(kind.web("agent"));
    cluster.controllers().app("agent", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();

    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(workload("p", "agent").getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(appliedWrites(kind, "agent")).as("the hardening only: its completion is remembered, not written")
        .isEqualTo(1);
    assertThat(rollbacks()).isZero();
  }

  @Test
  void aDaemonSetsPassIsRememberedWithoutAWriteSoANodeJoiningLaterIsNoRollout() {
    TestKind kind = TestKind.DAEMON_SET;
    cluster.controllers().nodes(2);
    cluster.create(kind.web("agent"));
    cluster.controllers().app("agent", t -> new Run.Healthy(Duration.ZERO));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {timeout: 1s}}"));
    eventually(() -> assertThat(workload("p", "agent").getState()).isEqualTo(WorkloadState.Compliant));

    // A node joins: the DaemonSet controller makes its pod from the current template at once, and
    // the counts stay short of complete until that pod is available (here: for good).
    nodeJoined("agent");
    Cluster.settle(Duration.ofSeconds(3)); // past the timeout, with a resync every second
    assertThat(workload("p", "agent").getState()).isEqualTo(WorkloadState.Compliant);
    assertThat(rollbacks()).isZero();
    assertThat(appliedWrites(kind, "agent")).as("the hardening only: its pass is remembered, not written")
        .isEqualTo(1);

    // A restarted operator knows nothing of the pass; the window ended before it began, and every
    // node runs the change: what a pass lowered by a later node looks like, not a stalled rollout.
    cluster.stopOperator();
    start();
    Cluster.settle(Duration.ofSeconds(3));
    assertThat(workload("p", "agent").getState()).isEqualTo(WorkloadState.Compliant);
    assertThat(appliedWrites(kind, "agent")).as("no rollback after the restart").isEqualTo(1);
  }

  /**
   * Every node got the change (the stand-in replaces all pods at once) and none became available:
   * after a restart past its window it gets a window of its own, and is then rolled back.
   */
  @Test
  void aRolloutThatStalledWhileNoOperatorRanIsStillRolledBackAfterItsWindow() {
    TestKind kind = TestKind.DAEMON_SET;
    cluster.controllers().nodes(3);
    cluster.create(kind.web("agent"));
    cluster.controllers().app("agent", t -> isHardened(t) ? new Run.Silent() : new Run.Healthy(Duration.ZERO));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {timeout: 2s}}"));
    eventually(() -> assertThat(appliedWrites(kind, "agent")).isEqualTo(1));
    cluster.stopOperator();
    Cluster.settle(Duration.ofSeconds(3)); // the whole window passes with no operator running

    start();
    eventually(() -> assertThat(workload("p", "agent").getMessage()).contains("judged again after an operator "
        + "restart"));
    eventually(() -> assertThat(workload("p", "agent").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(workload("p", "agent").getMessage()).contains("did not complete within 2s");
    assertThat(appliedWrites(kind, "agent")).isEqualTo(2);
  }

  /** Reports one more node for DaemonSet {@code name}, its pod made from the current template but not available. */
  private void nodeJoined(String name) {
    cluster.client().apps().daemonSets().inNamespace(NS).withName(name).editStatus(d -> {
      var s = d.getStatus();
      s.setDesiredNumberScheduled(s.getDesiredNumberScheduled() + 1);
      s.setCurrentNumberScheduled(s.getCurrentNumberScheduled() + 1);
      s.setUpdatedNumberScheduled(s.getUpdatedNumberScheduled() + 1);
      s.setNumberUnavailable(1);
      return d;
    });
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aSlowStartIsFollowedToSuccessAndNeverRolledBack(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.controllers().app("web", t -> new Run.Healthy(Duration.ofMillis(1500)));
    start();
    List<String> seen = new CopyOnWriteArrayList<>();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      WorkloadStatus w = workload("p", "web");
      seen.add(w.getState() + ": " + w.getMessage());
      assertThat(w.getState()).isEqualTo(WorkloadState.Compliant);
      // the fixture's container has no memory limit: the message ends with that warning, nothing else
      assertThat(w.getMessage()).isEqualTo("read-only root filesystem with writable paths in place; warning: "
          + "tmpfs may use up to 64Mi and app has no memory limit");
    });
    // A CronJob is compliant all along, following its Job; the others roll out.
    assertThat(seen).anyMatch(s -> kind == TestKind.CRON_JOB ? s.contains("following Job web-")
        : s.startsWith("RollingOut"));
    assertThat(condition("p", "Ready").getStatus()).isEqualTo("True");
    assertThat(rollbacks()).isZero();
    assertThat(appliedWrites(kind, "web")).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(value = TestKind.class, names = {"DEPLOYMENT", "STATEFUL_SET", "DAEMON_SET"})
  void atMostMaxInProgressRollOutAtOnceAndTheRestWait(TestKind kind) {
    for (int i = 0; i < 10; i++) {
      cluster.controllers().app("web-" + i, t -> new Run.Healthy(Duration.ofMillis(600)));
      cluster.create(kind.web("web-" + i));
    }
    cluster.controllers().awaitIdleAndResetCounts(Duration.ofSeconds(10)); // creating them rolled them out
    start();
    List<Integer> pending = new CopyOnWriteArrayList<>();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: 3}}"));

    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      ReadOnlyPolicyStatus s = status("p");
      pending.add((int) s.getWorkloads().stream().filter(w -> w.getState() == WorkloadState.Pending).count());
      assertThat(s.getCompliant()).isEqualTo(10);
    });
    assertThat(cluster.controllers().mostInProgressAtOnce(NS)).as("rollouts at once").isBetween(1, 3);
    assertThat(pending).as("some waited their turn").anyMatch(n -> n > 0);
    for (int i = 0; i < 10; i++) {
      assertThat(appliedWrites(kind, "web-" + i)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void learnModeConvergesForAnAppThatNeedsTwoMorePaths(TestKind kind) {
    cluster.create(kind.web("web"));
    Map<String, String> needs = new LinkedHashMap<>();
    needs.put("/var/cache/nginx", NGINX_CRASH);
    needs.put("/var/run/app", PID_CRASH);
    cluster.controllers().app("web", App.writing("app", needs));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {learn: true}}"));

    awaitSettled(kind, "web");
    assertThat(workload("p", "web").getLearnedPaths()).containsExactly("/var/cache/nginx", "/var/run/app");
    assertThat(mountPaths(template(kind, get(kind)))).contains("/tmp", "/var/cache/nginx", "/var/run/app");
    assertThat(appliedWrites(kind, "web")).as("hardening, then one retry per learned path")
        .isEqualTo(3);
    assertThat(rollbacks()).isZero();
    assertThat(cluster.policy(NS, "p").getSpec().getCachePaths()).as("the policy itself is not edited").isNull();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void learnModeSeedsADirectoryOfTheImagesFilesInsteadOfRefusingIt(TestKind kind) {
    cluster.create(kind.web("web"));
    Map<String, String> needs = new LinkedHashMap<>();
    needs.put("/etc/nginx/conf.d", CONF_D_CRASH);
    needs.put("/var/cache/nginx", NGINX_CRASH);
    cluster.controllers().app("web", App.writing("app", needs));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {learn: true}}"));

    awaitSettled(kind, "web");
    assertThat(workload("p", "web").getLearnedPaths()).containsExactly("/etc/nginx/conf.d", "/var/cache/nginx");
    PodTemplateSpec t = template(kind, get(kind));
    assertThat(mountPaths(t)).contains("/tmp", "/etc/nginx/conf.d", "/var/cache/nginx");
    Container seeder = t.getSpec().getInitContainers().get(0);
    assertThat(seeder.getName()).isEqualTo("rootlock-seed-app");
    assertThat(seeder.getCommand()).as("only the seeded path is copied from the image")
        .contains("/etc/nginx/conf.d").doesNotContain("/var/cache/nginx");
    assertThat(appliedWrites(kind, "web")).as("hardening, then one retry per learned path").isEqualTo(3);
    assertThat(rollbacks()).isZero();
    assertThat(cluster.policy(NS, "p").getSpec().getSeedPaths()).as("the policy itself is not edited").isNull();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void learnModeGivesUpAfterThreeRetries(TestKind kind) {
    cluster.create(kind.web("web"));
    Map<String, String> needs = new LinkedHashMap<>();
    needs.put("/var/cache/nginx", NGINX_CRASH);
    needs.put("/var/run/app", PID_CRASH);
    needs.put("/opt/app/work", JAVA_CRASH);
    needs.put("/srv/spool/in", "touch: cannot touch '/srv/spool/in/x': Read-only file system");
    cluster.controllers().app("web", App.writing("app", needs));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {learn: true}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    WorkloadStatus w = workload("p", "web");
    assertThat(w.getLearnedPaths()).containsExactly("/var/cache/nginx", "/var/run/app", "/opt/app/work");
    assertThat(w.getMessage()).contains("add /srv/spool/in to cachePaths").contains("gave up learning after 3 retries");
    assertThat(appliedWrites(kind, "web")).as("hardening, 3 retries, 1 rollback").isEqualTo(5);
    assertThat(rollbacks()).isEqualTo(1.0);
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aRestartedOperatorPicksUpWhatItWasFollowing(TestKind kind) {
    cluster.create(kind.web("web"));
    String policy = "{selector: {matchLabels: {tier: web}}}";
    switch (kind) {
      case DEPLOYMENT -> cluster.controllers().app("web", t -> isHardened(t) ? new Run.Stuck(Duration.ofSeconds(3))
          : new Run.Healthy(Duration.ZERO));
      case CRON_JOB -> cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)))
          .jobAfter("web", Duration.ofSeconds(3));
      default -> {
        cluster.controllers().app("web", t -> isHardened(t) ? new Run.Silent() : new Run.Healthy(Duration.ZERO));
        policy = "{selector: {matchLabels: {tier: web}}, rollout: {timeout: 3s}}";
      }
    }
    start();
    cluster.create(policy("p", policy));
    eventually(() -> assertThat(appliedWrites(kind, "web")).isEqualTo(1));
    cluster.stopOperator();

    start();
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(appliedWrites(kind, "web")).isEqualTo(2);
  }

  // --- helpers ---------------------------------------------------------------------

  /** Compliant, and no longer following anything (a CronJob's test passed). */
  private void awaitSettled(TestKind kind, String name) {
    eventually(() -> {
      WorkloadStatus w = workload("p", name);
      assertThat(w.getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(w.getMessage()).doesNotContain("Job");
    });
  }

  private void start() {
    start(Settings.defaults().withResync(Duration.ofSeconds(1)));
  }

  private void start(Settings settings) {
    rootlock = cluster.startOperator(settings);
  }

  private static boolean isHardened(PodTemplateSpec t) {
    Container c = t.getSpec().getContainers().get(0);
    return c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
  }

  private HasMetadata get(TestKind kind) {
    return get(kind, "web");
  }

  private HasMetadata get(TestKind kind, String name) {
    return cluster.get(kind, NS, name);
  }

  private static PodTemplateSpec template(TestKind kind, HasMetadata o) {
    return kind.model().template(o);
  }

  private void edit(String name, java.util.function.Consumer<ReadOnlyPolicy> change) {
    cluster.editPolicy(NS, name, change);
  }

  private long appliedWrites(TestKind kind, String name) {
    return cluster.api().exchanges().stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains("/" + kind.model().plural() + "/" + name + "?")
            && e.status() < 300)
        .count();
  }

  private double rollbacks() {
    var counters = rootlock.registry().find(RootlockMetrics.ROLLBACKS).tags("namespace", NS, "policy", "p").counters();
    return counters.stream().mapToDouble(c -> c.count()).sum();
  }

  private List<Event> events(String reason) {
    return cluster.client().resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  private static List<String> mountPaths(PodTemplateSpec t) {
    List<String> out = new ArrayList<>();
    for (Container c : t.getSpec().getContainers()) {
      c.getVolumeMounts().stream().map(VolumeMount::getMountPath).forEach(out::add);
    }
    return out.stream().sorted().collect(Collectors.toList());
  }

  private ReadOnlyPolicyStatus status(String policy) {
    return cluster.status(NS, policy);
  }

  private WorkloadStatus workload(String policy, String name) {
    return cluster.workload(NS, policy, name);
  }

  private Condition condition(String policy, String type) {
    return status(policy).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  private static void eventually(ThrowingRunnable assertion) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
  }
}
