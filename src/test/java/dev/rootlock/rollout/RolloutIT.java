package dev.rootlock.rollout;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
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
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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

/**
 * Rollout safety against the mock API server, with the Deployment controller and kubelet played
 * by {@link dev.rootlock.testing.ClusterControllers}: crashes, slow starts, progress deadlines and
 * successes as a real cluster reports them.
 */
class RolloutIT {
  static final String NGINX_CRASH =
      "2026/11/26 10:00:00 [emerg] 1#1: mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)";
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

  @Test
  void aCrashIsRolledBackToTheExactTemplateWithTheMissingPathNamedAndNotRetried() {
    Deployment original = cluster.create(web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    WorkloadStatus w = workload("p", "web");
    assertThat(w.getMessage())
        .contains("container app failed writing /var/cache/nginx/client_temp (read-only file system); "
            + "add /var/cache/nginx to cachePaths")
        .contains("CrashLoopBackOff");
    Deployment after = cluster.deployment(NS, "web");
    assertThat(JsonPatches.tree(after.getSpec().getTemplate()))
        .as("the pod template is exactly what it was before hardening")
        .isEqualTo(JsonPatches.tree(original.getSpec().getTemplate()));
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Annotations.REVERT)
        .containsEntry(Annotations.OWNER, "p").containsKey(Annotations.ROLLOUT);
    Condition ready = condition("p", "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("RolloutFailed");
    assertThat(condition("p", "Degraded").getReason()).isEqualTo("RolloutFailed");
    assertThat(rollbacks()).isEqualTo(1.0);
    eventually(() -> assertThat(events("RolledBack")).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"))
        .satisfies(e -> assertThat(e.getRegarding().getName()).isEqualTo("web")));

    // No loop: resyncs (every second here) and the rollback's own rollout change nothing.
    Cluster.settle(Duration.ofSeconds(4));
    assertThat(appliedWrites("web")).as("one hardening, one rollback").isEqualTo(2);
    assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack);
    assertThat(rollbacks()).isEqualTo(1.0);

    // Declaring the path changes the spec: hardening is tried again, and this time holds.
    edit("p", p -> p.getSpec().setCachePaths(List.of("/var/cache/nginx")));
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(appliedWrites("web")).isEqualTo(3);
    assertThat(condition("p", "Ready").getStatus()).isEqualTo("True");
    assertThat(cluster.deployment(NS, "web").getMetadata().getAnnotations().get(Annotations.ROLLOUT))
        .doesNotContain("rolledBack");
  }

  @Test
  void aChangeToTheWorkloadsOwnTemplateLetsHardeningTryAgain() {
    cluster.create(web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));

    // The team ships a version that no longer writes there.
    cluster.controllers().app("web", App.writing("app", Map.of()));
    cluster.edit(NS, "web", d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.27-fixed");
      return d;
    });
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.Compliant));
    Container app = cluster.deployment(NS, "web").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(app.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void keepLeavesTheHardeningInPlaceAndReportsTheFailure() {
    cluster.create(web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/var/cache/nginx", NGINX_CRASH)));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {onFailure: Keep}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.Failed));
    assertThat(workload("p", "web").getMessage()).startsWith("RolloutFailed: container app failed writing")
        .contains("spec.rollout.onFailure: Keep");
    assertThat(cluster.deployment(NS, "web").getSpec().getTemplate().getSpec().getContainers().get(0)
        .getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(condition("p", "Ready").getReason()).isEqualTo("RolloutFailed");
    Cluster.settle(Duration.ofSeconds(2));
    assertThat(appliedWrites("web")).isEqualTo(1);
    assertThat(rollbacks()).isZero();
  }

  @Test
  void aProgressDeadlineIsAFailure() {
    cluster.create(web("web"));
    cluster.controllers().app("web", t -> isHardened(t) ? new Run.Stuck(Duration.ofMillis(500))
        : new Run.Healthy(Duration.ZERO));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(workload("p", "web").getMessage()).contains("ProgressDeadlineExceeded");
  }

  @Test
  void aRolloutThatOutlivesTheTimeoutIsAFailure() {
    cluster.create(web("web"));
    cluster.controllers().app("web", t -> isHardened(t) ? new Run.Silent() : new Run.Healthy(Duration.ZERO));
    start(Settings.defaults().withResync(Duration.ofMinutes(10))); // only the timeout can wake it
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {timeout: 2s}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RollingOut));
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(workload("p", "web").getMessage()).contains("did not complete within 2s");
  }

  @Test
  void aSlowStartIsFollowedToSuccessAndNeverRolledBack() {
    cluster.create(web("web"));
    cluster.controllers().app("web", t -> new Run.Healthy(Duration.ofMillis(1500)));
    start();
    List<WorkloadState> seen = new CopyOnWriteArrayList<>();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> {
      seen.add(workload("p", "web").getState());
      assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.Compliant);
    });
    assertThat(seen).contains(WorkloadState.RollingOut);
    assertThat(workload("p", "web").getMessage()).doesNotContain("rollout");
    assertThat(condition("p", "Ready").getStatus()).isEqualTo("True");
    assertThat(rollbacks()).isZero();
    assertThat(appliedWrites("web")).isEqualTo(1);
  }

  @Test
  void atMostMaxInProgressRollOutAtOnceAndTheRestWait() {
    for (int i = 0; i < 10; i++) {
      cluster.controllers().app("web-" + i, t -> new Run.Healthy(Duration.ofMillis(600)));
      cluster.create(web("web-" + i));
    }
    cluster.controllers().awaitIdleAndResetCounts(Duration.ofSeconds(10)); // creating them rolled them out
    start();
    List<Integer> pending = new CopyOnWriteArrayList<>();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: 3}}"));

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      ReadOnlyPolicyStatus s = status("p");
      pending.add((int) s.getWorkloads().stream().filter(w -> w.getState() == WorkloadState.Pending).count());
      assertThat(s.getCompliant()).isEqualTo(10);
    });
    assertThat(cluster.controllers().mostInProgressAtOnce(NS)).as("rollouts at once").isBetween(1, 3);
    assertThat(pending).as("some waited their turn").anyMatch(n -> n > 0);
    for (int i = 0; i < 10; i++) {
      assertThat(appliedWrites("web-" + i)).isEqualTo(1);
    }
  }

  @Test
  void learnModeConvergesForAnAppThatNeedsTwoMorePaths() {
    cluster.create(web("web"));
    Map<String, String> needs = new LinkedHashMap<>();
    needs.put("/var/cache/nginx", NGINX_CRASH);
    needs.put("/var/run/app", PID_CRASH);
    cluster.controllers().app("web", App.writing("app", needs));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {learn: true}}"));

    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(workload("p", "web").getLearnedPaths()).containsExactly("/var/cache/nginx", "/var/run/app");
    assertThat(mountPaths(cluster.deployment(NS, "web"))).contains("/tmp", "/var/cache/nginx", "/var/run/app");
    assertThat(appliedWrites("web")).as("hardening, then one retry per learned path").isEqualTo(3);
    assertThat(rollbacks()).isZero();
    assertThat(cluster.policy(NS, "p").getSpec().getCachePaths()).as("the policy itself is not edited").isNull();
  }

  @Test
  void learnModeGivesUpAfterThreeRetries() {
    cluster.create(web("web"));
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
    assertThat(appliedWrites("web")).as("hardening, 3 retries, 1 rollback").isEqualTo(5);
    assertThat(rollbacks()).isEqualTo(1.0);
  }

  @Test
  void aRestartedOperatorPicksUpTheRolloutItWasFollowing() {
    cluster.create(web("web"));
    cluster.controllers().app("web", t -> isHardened(t) ? new Run.Stuck(Duration.ofSeconds(3))
        : new Run.Healthy(Duration.ZERO));
    start();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RollingOut));
    cluster.stopOperator();

    start();
    eventually(() -> assertThat(workload("p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(appliedWrites("web")).isEqualTo(2);
  }

  // --- helpers ---------------------------------------------------------------------

  private void start() {
    start(Settings.defaults().withResync(Duration.ofSeconds(1)));
  }

  private void start(Settings settings) {
    rootlock = cluster.startOperator(settings);
  }

  private static boolean isHardened(io.fabric8.kubernetes.api.model.PodTemplateSpec t) {
    Container c = t.getSpec().getContainers().get(0);
    return c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
  }

  private void edit(String name, java.util.function.Consumer<ReadOnlyPolicy> change) {
    cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName(name).edit(p -> {
      change.accept(p);
      return p;
    });
  }

  private long appliedWrites(String deployment) {
    return cluster.api().exchanges().stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains("/deployments/" + deployment + "?")
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

  private static List<String> mountPaths(Deployment d) {
    List<String> out = new ArrayList<>();
    for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
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
