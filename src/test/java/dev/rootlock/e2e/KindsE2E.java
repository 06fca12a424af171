package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every kind through its real controller: Deployments through ReplicaSets (RollingUpdate and
 * Recreate), a StatefulSet with a partition and one with OnDelete, a DaemonSet over the KWOK
 * nodes, a CronJob whose Job runs. Hardened, reported compliant only when what the change started
 * has passed, quiet in steady state, drift corrected, an excluded workload and a deleted policy
 * reverted exactly to what the API server stored before, an Audit policy writing nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KindsE2E {
  static final String POLICY = "harden";
  /** Kind and name of every workload, in creation order. */
  static final Map<String, String> WORKLOADS = new LinkedHashMap<>();

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;
  /** Each workload's pod template as stored before Rootlock touched it. */
  static final Map<String, JsonNode> ORIGINAL = new LinkedHashMap<>();

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    ns = TestNamespace.create(installation.cluster(), "kinds");
    kube = new Kube(installation.cluster(), ns.name());
    kube.apply(Workloads.deployment("web", 2, "RollingUpdate"));
    kube.apply(Workloads.deployment("legacy", 1, "Recreate"));
    kube.apply(Workloads.statefulSet("db", 3, "{type: RollingUpdate, rollingUpdate: {partition: 1}}"));
    kube.apply(Workloads.statefulSet("cache", 2, "{type: OnDelete}"));
    kube.apply(Workloads.daemonSet("agent"));
    kube.apply(Workloads.cronJob("report", "* * * * *"));
    WORKLOADS.putAll(Map.of("web", "Deployment", "legacy", "Deployment", "db", "StatefulSet",
        "cache", "StatefulSet", "agent", "DaemonSet", "report", "CronJob"));
    for (var w : List.of("web", "legacy", "db", "cache", "agent")) {
      kube.awaitRolledOut(WORKLOADS.get(w), w);
    }
    WORKLOADS.forEach((name, kind) -> ORIGINAL.put(name, kube.template(kind, name)));
    operator = OperatorProcess.start(installation, "kinds", Installation.WEBHOOK_PORT, "--resync", "10m");
    operator.awaitLeader();
    kube.apply(Workloads.policy(POLICY, "{selector: {matchLabels: {tier: e2e}}, cachePaths: [/var/cache/app]}"));
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, operator);
  }

  @Test
  @Order(1)
  void everyKindIsHardenedThroughItsControllerAndCompliantOnceItsChangeHasPassed() {
    Map<String, String> expectedNote = Map.of("cache", "OnDelete");
    WORKLOADS.forEach((name, kind) -> {
      WorkloadStatus entry = kube.awaitState(POLICY, kind, name, WorkloadState.Compliant,
          Duration.ofSeconds(kind.equals("CronJob") ? 150 : 90));
      JsonNode t = kube.template(kind, name);
      assertThat(Kube.readOnlyContainers(t)).as(kind + " " + name).containsExactly("app");
      assertThat(Kube.mounts(t, "app")).as(kind + " " + name).contains("/tmp", "/var/cache/app");
      if (expectedNote.containsKey(name)) {
        assertThat(entry.getMessage()).contains(expectedNote.get(name));
      }
    });
    // what the real controllers did with the change: new pods run the hardened template
    kube.awaitRolledOut("Deployment", "web");
    kube.awaitRolledOut("Deployment", "legacy");
    kube.awaitRolledOut("DaemonSet", "agent");
    assertThat(Workloads.podsRunningHardened(kube, "app=web")).isEqualTo(2);
    assertThat(Workloads.podsRunningHardened(kube, "app=agent")).isEqualTo(3);
    // the partition keeps ordinal 0 on the old template; OnDelete replaces nothing by itself
    assertThat(Workloads.hardenedPodNames(kube, "app=db")).containsExactlyInAnyOrder("db-1", "db-2");
    assertThat(Workloads.hardenedPodNames(kube, "app=cache")).isEmpty();
    // a CronJob is Compliant once hardened; its change passes with the next scheduled Job (each minute)
    await().atMost(Duration.ofSeconds(150)).untilAsserted(() ->
        assertThat(Workloads.jobsRunHardened(kube, "report")).isGreaterThanOrEqualTo(1));
  }

  @Test
  @Order(2)
  void steadyStateWritesNothing() {
    AuditLog audit = Audit.require(installation);
    long mark = audit.mark();
    Kube.sleep(Duration.ofSeconds(20));
    List<AuditLog.Request> writes = audit.since(mark, Installation.operatorUser()).stream()
        .filter(r -> !r.verb().matches("get|list|watch")).filter(r -> !r.resource().equals("leases")).toList();
    assertThat(writes).as("writes in a steady state (a CronJob run included)").isEmpty();
  }

  @Test
  @Order(3)
  void anUpdateThatUndoesTheHardeningIsHardenedAtAdmissionAndRollsNothingOut() {
    AuditLog audit = Audit.require(installation);
    var old = kube.admin().apps().deployments().inNamespace(ns.name()).withName("web").get();
    long generation = old.getMetadata().getGeneration();
    JsonNode before = kube.template("Deployment", "web");
    long mark = audit.mark();
    var stored = kube.admin().apps().deployments().inNamespace(ns.name()).withName("web").edit(d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
          .setReadOnlyRootFilesystem(false);
      return d;
    });
    // the webhook answered the UPDATE with the hardening: what was stored is the same spec
    assertThat(kube.template("Deployment", "web")).isEqualTo(before);
    assertThat(stored.getSpec()).isEqualTo(old.getSpec());
    assertThat(stored.getMetadata().getGeneration()).as("%s -> %s", old.getMetadata(), stored.getMetadata()).isEqualTo(generation);
    Kube.sleep(Duration.ofSeconds(5));
    kube.awaitState(POLICY, "Deployment", "web", WorkloadState.Compliant, Duration.ofSeconds(10));
    assertThat(audit.since(mark, Installation.operatorUser())).as("the operator had nothing to write")
        .filteredOn(r -> r.resource().equals("deployments") && !r.verb().matches("get|list|watch")).isEmpty();
  }

  @Test
  @Order(4)
  void anExcludedWorkloadIsRevertedExactly() {
    kube.admin().apps().deployments().inNamespace(ns.name()).withName("legacy").edit(d -> {
      d.getMetadata().getAnnotations().put("rootlock.dev/exclude", "true");
      return d;
    });
    kube.awaitState(POLICY, "Deployment", "legacy", WorkloadState.Excluded, Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(kube.template("Deployment", "legacy")).isEqualTo(ORIGINAL.get("legacy")));
    assertThat(kube.annotations("Deployment", "legacy")).doesNotContainKeys("rootlock.dev/revert",
        "rootlock.dev/owner", "rootlock.dev/rollout");
  }

  @Test
  @Order(5)
  void anAuditPolicyReportsAndWritesNothing() {
    AuditLog audit = Audit.require(installation);
    kube.apply(Workloads.deployment("audited", 1, "RollingUpdate").replace("tier: e2e", "tier: audit"));
    kube.awaitRolledOut("Deployment", "audited");
    JsonNode before = kube.template("Deployment", "audited");
    long mark = audit.mark();
    kube.apply(Workloads.policy("audit", "{mode: Audit, selector: {matchLabels: {tier: audit}}}"));
    WorkloadStatus entry = kube.awaitState("audit", "Deployment", "audited", WorkloadState.NonCompliant,
        Duration.ofSeconds(60));
    assertThat(entry.getMessage()).contains("would change: read-only root: app", "Audit mode: nothing written");
    assertThat(kube.template("Deployment", "audited")).isEqualTo(before);
    assertThat(audit.since(mark, Installation.operatorUser())).filteredOn(r -> r.resource().equals("deployments")
        && !r.verb().matches("get|list|watch")).isEmpty();
  }

  @Test
  @Order(6)
  void deletingThePolicyRevertsEveryWorkloadExactly() {
    kube.admin().resources(dev.rootlock.api.ReadOnlyPolicy.class).inNamespace(ns.name()).withName(POLICY).delete();
    await("policy gone after its finalizer").atMost(Duration.ofSeconds(90)).until(() -> kube.policy(POLICY) == null);
    WORKLOADS.forEach((name, kind) -> {
      assertThat(kube.template(kind, name)).as(kind + " " + name + " reverted exactly").isEqualTo(ORIGINAL.get(name));
      assertThat(kube.annotations(kind, name)).as(kind + " " + name).doesNotContainKeys("rootlock.dev/revert",
          "rootlock.dev/owner", "rootlock.dev/rollout");
    });
  }

}
