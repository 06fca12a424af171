package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Drift as the reconcile meets it, with no webhook to catch it at admission (a cluster whose
 * webhook is off, or a write that came while the operator was down): a hardening someone undid is
 * put back with one PATCH; a GitOps tool that keeps writing {@code readOnlyRootFilesystem: false}
 * with server-side apply is corrected three times and then left alone, named in a
 * {@code DriftFight} Conflict from the real {@code managedFields}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftE2E {
  static final String POLICY = "harden";
  static final String GITOPS = "argocd-controller";

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;

  /** A Deployment as a Git repository holds it: its container asks for a writable root. */
  static final String SYNCED = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: synced, labels: {tier: e2e}}
      spec:
        replicas: 1
        selector: {matchLabels: {app: synced}}
        template:
          metadata: {labels: {app: synced}}
          spec:
            containers:
            - {name: app, image: registry.example/app:1, securityContext: {readOnlyRootFilesystem: false}}
      """;

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    ns = TestNamespace.create(installation.cluster(), "drift");
    kube = new Kube(installation.cluster(), ns.name());
    kube.apply(Workloads.deployment("web", 1, "RollingUpdate"));
    kube.apply(SYNCED, GITOPS);
    operator = OperatorProcess.start(installation, "drift", -1);
    operator.awaitLeader();
    kube.apply(Workloads.policy(POLICY, "{selector: {matchLabels: {tier: e2e}}}"));
    kube.awaitState(POLICY, "Deployment", "web", WorkloadState.Compliant, Duration.ofSeconds(90));
    kube.awaitState(POLICY, "Deployment", "synced", WorkloadState.Compliant, Duration.ofSeconds(90));
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, operator);
  }

  @Test
  @Order(1)
  void anUndoneHardeningIsPutBackWithOnePatch() {
    AuditLog audit = Audit.require(installation);
    long mark = audit.mark();
    kube.admin().apps().deployments().inNamespace(ns.name()).withName("web").edit(d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
          .setReadOnlyRootFilesystem(false);
      return d;
    });
    await().atMost(Duration.ofSeconds(30)).until(() ->
        Kube.readOnlyContainers(kube.template("Deployment", "web")).contains("app"));
    kube.awaitRolledOut("Deployment", "web");
    kube.awaitState(POLICY, "Deployment", "web", WorkloadState.Compliant, Duration.ofSeconds(60));
    assertThat(patchesOf(audit.since(mark, Installation.operatorUser()), "web")).as("one correcting patch")
        .hasSize(1);
  }

  @Test
  @Order(2)
  void aWriterThatKeepsRevertingIsCorrectedThreeTimesThenNamed() {
    AuditLog audit = Audit.require(installation);
    long mark = audit.mark();
    int corrections = 0;
    // the GitOps tool syncs back what Git holds each time Rootlock corrected it
    while (corrections < 5 && !inDriftFight()) {
      kube.apply(SYNCED, GITOPS);
      await("corrected or given up").atMost(Duration.ofSeconds(60)).until(() ->
          Kube.readOnlyContainers(kube.template("Deployment", "synced")).contains("app") || inDriftFight());
      if (!inDriftFight()) {
        corrections++;
      }
    }
    assertThat(corrections).as("corrections before giving up (--drift-fight-corrections default)").isEqualTo(3);
    WorkloadStatus entry = kube.entry(POLICY, "Deployment", "synced").orElseThrow();
    assertThat(entry.getMessage()).startsWith("DriftFight:").contains(GITOPS);
    assertThat(Kube.readOnlyContainers(kube.template("Deployment", "synced"))).as("left as the writer wants it")
        .isEmpty();
    assertThat(patchesOf(audit.since(mark, Installation.operatorUser()), "synced")).hasSize(3);
    assertThat(kube.admin().events().v1().events().inNamespace(ns.name()).list().getItems())
        .anyMatch(e -> "DriftFight".equals(e.getReason()) && "synced".equals(e.getRegarding().getName()));
    assertThat(operator.metrics()).containsPattern("rootlock_drift_fights_total\\{[^}]*\\} 1\\.0");
    // the fight stays settled: another sync is not corrected
    long after = audit.mark();
    kube.apply(SYNCED, GITOPS);
    Kube.sleep(Duration.ofSeconds(10));
    assertThat(patchesOf(audit.since(after, Installation.operatorUser()), "synced")).isEmpty();
  }

  private static boolean inDriftFight() {
    return kube.entry(POLICY, "Deployment", "synced")
        .filter(e -> e.getState() == WorkloadState.Conflict && e.getMessage().startsWith("DriftFight:")).isPresent();
  }

  private static List<AuditLog.Request> patchesOf(List<AuditLog.Request> requests, String name) {
    return requests.stream().filter(r -> r.verb().equals("patch") && r.resource().equals("deployments")
        && r.subresource().isEmpty() && r.name().equals(name))
        .filter(AuditLog.Request::succeeded).toList(); // a 409 on a stale resourceVersion wrote nothing
  }

}
