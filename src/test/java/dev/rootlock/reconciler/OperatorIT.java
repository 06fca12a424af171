package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.deployment;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real Operator against the fabric8 mock API server in CRUD mode. */
class OperatorIT {
  private static final String WEB_POLICY = "{selector: {matchLabels: {tier: web}}, cachePaths: [/var/cache/nginx]}";

  KubernetesMockServer server;
  KubernetesClient client;
  Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
    server = cluster.server();
    client = cluster.client();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void hardensSelectedDeploymentsWhenThePolicyIsCreated() {
    cluster.create(web("web"));
    cluster.create(deployment("api", "{tier: backend}", "{containers: [{name: app, image: api}]}"));
    cluster.startOperator();

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));
    eventually(() -> {
      ReadOnlyPolicyStatus s = status("web");
      assertThat(s.getMatched()).isEqualTo(1);
      assertThat(s.getCompliant()).isEqualTo(1);
      assertThat(s.getObservedGeneration()).isEqualTo(1L);
      assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
      assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
    });
    Deployment api = cluster.deployment(NS, "api");
    assertThat(api.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()).isNull();
    assertThat(api.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void hardensADeploymentCreatedAfterThePolicy() {
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NothingSelected"));

    cluster.create(web("late"));

    eventually(() -> assertHardened(cluster.deployment(NS, "late"), "/tmp", "/var/cache/nginx"));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
  }

  @Test
  void correctsDriftWhenSomeoneRevertsTheHardening() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));
    Deployment hardened = cluster.deployment(NS, "web");

    cluster.edit(NS, "web", d -> new DeploymentBuilder(d)
        .editSpec().editTemplate().editSpec().editFirstContainer()
        .editSecurityContext().withReadOnlyRootFilesystem(false).endSecurityContext()
        .withVolumeMounts(List.of())
        .endContainer().endSpec().endTemplate().endSpec().build());

    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));
    Deployment fixed = cluster.deployment(NS, "web");
    assertThat(tree(fixed.getSpec().getTemplate())).isEqualTo(tree(hardened.getSpec().getTemplate()));
    assertThat(fixed.getMetadata().getAnnotations().get(Annotations.REVERT))
        .isEqualTo(hardened.getMetadata().getAnnotations().get(Annotations.REVERT));
  }

  @Test
  void writesNothingWhenReconcilingACompliantDeploymentAgain() {
    cluster.create(web("web"));
    cluster.takeRequests();
    cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    Cluster.settle(Duration.ofMillis(500));
    var firstRound = Cluster.deploymentWrites(cluster.takeRequests());
    assertThat(firstRound).as("the one hardening patch").hasSize(1);
    String policyVersion = cluster.policy(NS, "web").getMetadata().getResourceVersion();

    // resync every second: at least two more full reconciles of the compliant Deployment
    Cluster.settle(Duration.ofMillis(2500));

    var requests = cluster.takeRequests();
    assertThat(Cluster.deploymentWrites(requests)).isEmpty();
    assertThat(requests).noneMatch(r -> !"GET".equals(r.getMethod()) && r.getPath().contains("readonlypolicies"));
    assertThat(cluster.policy(NS, "web").getMetadata().getResourceVersion()).isEqualTo(policyVersion);
  }

  @Test
  void leavesExcludedDeploymentsAloneAndRevertsOnesThatBecomeExcluded() {
    Deployment optedOut = web("legacy");
    optedOut.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Annotations.EXCLUDE, "true")));
    Deployment original = cluster.create(web("web"));
    cluster.create(optedOut);
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));
    eventually(() -> assertThat(workload("web", "legacy").getState()).isEqualTo(WorkloadState.Excluded));
    assertThat(cluster.deployment(NS, "legacy").getMetadata().getGeneration()).isEqualTo(1L);

    cluster.edit(NS, "web", d -> new DeploymentBuilder(d)
        .editMetadata().addToAnnotations(Annotations.EXCLUDE, "true").endMetadata().build());

    eventually(() -> assertThat(workload("web", "web").getState()).isEqualTo(WorkloadState.Excluded));
    Deployment reverted = cluster.deployment(NS, "web");
    assertThat(tree(reverted.getSpec().getTemplate())).isEqualTo(tree(original.getSpec().getTemplate()));
    assertThat(reverted.getMetadata().getAnnotations()).containsOnlyKeys(Annotations.EXCLUDE);
    eventually(() -> {
      assertThat(condition(status("web"), "Ready").getStatus()).isEqualTo("True");
      assertThat(status("web").getCompliant()).isZero();
      assertThat(status("web").getMatched()).isEqualTo(2);
    });
  }

  @Test
  void secondPolicyOverTheSameDeploymentReportsConflictAndWritesNothing() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("first", WEB_POLICY));
    eventually(() -> assertThat(status("first").getCompliant()).isEqualTo(1));
    Deployment owned = cluster.deployment(NS, "web");

    cluster.create(policy("second", "{selector: {matchExpressions: [{key: tier, operator: In, values: [web]}]},"
        + " tmpPaths: [/scratch]}"));

    eventually(() -> {
      WorkloadStatus w = workload("second", "web");
      assertThat(w.getState()).isEqualTo(WorkloadState.Conflict);
      assertThat(w.getMessage()).contains("first");
      assertThat(condition(status("second"), "Degraded").getReason()).isEqualTo("WorkloadConflict");
      assertThat(condition(status("second"), "Ready").getStatus()).isEqualTo("False");
    });
    Deployment after = cluster.deployment(NS, "web");
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(owned.getMetadata().getResourceVersion());
    assertThat(after.getMetadata().getAnnotations()).containsEntry(Annotations.OWNER, "first");
  }

  @Test
  void everyWriteOfTheOperatorCarriesTheRootlockFieldManager() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.takeRequests();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
    eventually(() -> assertThat(cluster.policy(NS, "web")).isNull());

    var operatorWrites = cluster.takeRequests().stream()
        .filter(r -> r.getMethod().equals("PATCH") || r.getMethod().equals("PUT")).toList();
    assertThat(operatorWrites).extracting(r -> r.getPath())
        .anyMatch(p -> p.contains("/deployments/web"))
        .anyMatch(p -> p.endsWith("/status") || p.contains("/status?"))
        .allMatch(p -> p.contains("fieldManager=rootlock"));
  }

  @Test
  void relabellingADeploymentIntoTheSelectorHardensIt() {
    Deployment other = cluster.create(deployment("api", "{tier: backend}", "{containers: [{name: app, image: api}]}"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NothingSelected"));

    cluster.edit(NS, other.getMetadata().getName(), d -> new DeploymentBuilder(d).editMetadata().addToLabels("tier", "web").endMetadata().build());

    eventually(() -> assertHardened(cluster.deployment(NS, "api"), "/tmp", "/var/cache/nginx"));
  }

  @Test
  void auditModeReportsButNeverWrites() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}, mode: Audit}"));

    eventually(() -> {
      WorkloadStatus w = workload("web", "web");
      assertThat(w.getState()).isEqualTo(WorkloadState.NonCompliant);
      assertThat(w.getMessage()).contains("Audit").contains("/tmp");
      assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NonCompliant");
    });
    assertThat(Cluster.deploymentWrites(cluster.takeRequests())).isEmpty();
    assertThat(cluster.deployment(NS, "web").getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void invalidSpecIsReportedNamingTheFieldAndWritesNoWorkload() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", "{tmpPaths: [tmp, /proc/self], sizeLimit: lots}"));

    eventually(() -> {
      Condition ready = condition(status("web"), "Ready");
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo("InvalidSpec");
      assertThat(ready.getMessage()).contains("spec.tmpPaths[0]").contains("spec.tmpPaths[1]")
          .contains("spec.sizeLimit");
      assertThat(condition(status("web"), "Degraded").getStatus()).isEqualTo("True");
    });
    assertThat(Cluster.deploymentWrites(cluster.takeRequests())).isEmpty();
  }

  @Test
  void deletingThePolicyRestoresTheOriginalTemplateExactly() {
    Deployment original = cluster.create(deployment("web", "{tier: web}", """
        containers:
        - name: app
          image: nginx
          securityContext: {readOnlyRootFilesystem: false, runAsUser: 101}
          volumeMounts: [{name: conf, mountPath: /etc/nginx/conf.d}]
        - {name: exporter, image: nginx-exporter}
        volumes: [{name: conf, configMap: {name: nginx}}]
        """));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();

    eventually(() -> assertThat(cluster.policy(NS, "web")).isNull());
    Deployment reverted = cluster.deployment(NS, "web");
    assertThat(tree(reverted.getSpec().getTemplate())).isEqualTo(tree(original.getSpec().getTemplate()));
    assertThat(reverted.getMetadata().getAnnotations()).isEmpty();
  }

  @Test
  void narrowingTheSelectorRevertsDeploymentsNoLongerSelected() {
    Deployment original = cluster.create(deployment("canary", "{tier: web, track: canary}",
        "{containers: [{name: app, image: nginx}]}"));
    cluster.create(deployment("stable", "{tier: web, track: stable}", "{containers: [{name: app, image: nginx}]}"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(2));

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").edit(p -> {
      p.getSpec().getSelector().getMatchLabels().put("track", "stable");
      return p;
    });

    eventually(() -> {
      assertThat(status("web").getMatched()).isEqualTo(1);
      Deployment canary = cluster.deployment(NS, "canary");
      assertThat(tree(canary.getSpec().getTemplate())).isEqualTo(tree(original.getSpec().getTemplate()));
      assertThat(canary.getMetadata().getAnnotations()).isEmpty();
    });
    assertHardened(cluster.deployment(NS, "stable"), "/tmp", "/var/cache/nginx");
  }

  @Test
  void removingAPathFromTheSpecUndoesOnlyThatPath() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").edit(p -> {
      p.getSpec().setCachePaths(List.of());
      return p;
    });

    eventually(() -> {
      Container app = cluster.deployment(NS, "web").getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(app.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp");
      assertThat(cluster.deployment(NS, "web").getSpec().getTemplate().getSpec().getVolumes()).hasSize(1);
    });
  }

  @Test
  void restartedOperatorNeitherDuplicatesVolumesNorLosesTheRevertRecord() {
    Deployment original = cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    Deployment hardened = cluster.deployment(NS, "web");
    cluster.stopOperator();
    cluster.takeRequests();

    cluster.startOperator();
    Cluster.settle(Duration.ofSeconds(2));

    assertThat(Cluster.deploymentWrites(cluster.takeRequests())).isEmpty();
    Deployment after = cluster.deployment(NS, "web");
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(hardened.getMetadata().getResourceVersion());
    assertThat(after.getSpec().getTemplate().getSpec().getVolumes()).hasSize(2);

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
    eventually(() -> assertThat(tree(cluster.deployment(NS, "web").getSpec().getTemplate()))
        .isEqualTo(tree(original.getSpec().getTemplate())));
  }

  @Test
  void aDeploymentTheApiRefusesIsFailedWhileTheOthersProceed() {
    cluster.create(web("good"));
    // The API server rejects this one: a PATCH to it answers 422, as a validating webhook would.
    server.expect().patch().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments/refused?fieldManager=rootlock")
        .andReturn(422, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(422)
            .withMessage("admission webhook \"policy.example.com\" denied the request").build())
        .always();
    cluster.create(web("refused"));
    cluster.startOperator();

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> {
      WorkloadStatus refused = workload("web", "refused");
      assertThat(refused.getState()).isEqualTo(WorkloadState.Failed);
      assertThat(refused.getMessage()).startsWith("PatchRejected: ").contains("denied the request");
      assertThat(workload("web", "good").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(condition(status("web"), "Degraded").getReason()).isEqualTo("WorkloadFailed");
    });
    assertHardened(cluster.deployment(NS, "good"), "/tmp", "/var/cache/nginx");
  }

  @Test
  void anOlderAuditPolicyNeitherBlocksNorIsBlockedByAnEnforcingOne() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("preview", "{mode: Audit, cachePaths: [/var/cache/nginx]}"));
    eventually(() -> assertThat(workload("preview", "web").getState()).isEqualTo(WorkloadState.NonCompliant));

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx"));
    eventually(() -> {
      assertThat(workload("web", "web").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(workload("preview", "web").getState()).isEqualTo(WorkloadState.Compliant);
    });
  }

  @Test
  void auditModeNeverRevertsEvenWhenItsSelectorNarrows() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").edit(p -> {
      p.getSpec().setMode(dev.rootlock.api.Mode.Audit);
      return p;
    });
    eventually(() -> assertThat(status("web").getObservedGeneration()).isEqualTo(2L));
    cluster.takeRequests();

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").edit(p -> {
      p.getSpec().getSelector().getMatchLabels().put("tier", "nothing");
      return p;
    });

    eventually(() -> assertThat(status("web").getMatched()).isZero());
    assertThat(Cluster.deploymentWrites(cluster.takeRequests())).isEmpty();
    assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache/nginx");
  }

  @Test
  void anOwnerWithAnInvalidSpecKeepsItsWorkloadsUntilFixed() {
    cluster.create(web("web"));
    cluster.startOperator();
    cluster.create(policy("first", WEB_POLICY));
    eventually(() -> assertThat(status("first").getCompliant()).isEqualTo(1));
    cluster.create(policy("second", "{selector: {matchLabels: {tier: web}}, cachePaths: [/data]}"));
    eventually(() -> assertThat(workload("second", "web").getState()).isEqualTo(WorkloadState.Conflict));
    String version = cluster.deployment(NS, "web").getMetadata().getResourceVersion();

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("first").edit(p -> {
      p.getSpec().setTmpPaths(List.of("relative"));
      return p;
    });

    eventually(() -> assertThat(condition(status("first"), "Ready").getReason()).isEqualTo("InvalidSpec"));
    Cluster.settle(Duration.ofSeconds(1));
    eventually(() -> assertThat(workload("second", "web").getMessage()).contains("first").contains("invalid"));
    assertThat(cluster.deployment(NS, "web").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void conflictClearsWhenTheOwnerIsDeletedEvenIfItNeverWroteTheDeployment() {
    cluster.create(deployment("web", "{tier: web}",
        "{containers: [{name: app, image: nginx, securityContext: {readOnlyRootFilesystem: true},"
            + " volumeMounts: [{name: tmp, mountPath: /tmp}]}], volumes: [{name: tmp, emptyDir: {}}]}"));
    cluster.startOperator();
    cluster.create(policy("first", "{}"));
    eventually(() -> assertThat(workload("first", "web").getState()).isEqualTo(WorkloadState.Compliant));
    cluster.create(policy("second", "{cachePaths: [/var/cache]}"));
    eventually(() -> assertThat(workload("second", "web").getState()).isEqualTo(WorkloadState.Conflict));

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("first").delete();

    eventually(() -> assertThat(workload("second", "web").getState()).isEqualTo(WorkloadState.Compliant));
    assertHardened(cluster.deployment(NS, "web"), "/tmp", "/var/cache");
  }

  // --- helpers ----------------------------------------------------------------------------

  private static void eventually(ThrowingRunnable assertion) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
  }

  private ReadOnlyPolicyStatus status(String policy) {
    return cluster.status(NS, policy);
  }

  private WorkloadStatus workload(String policy, String name) {
    return cluster.workload(NS, policy, name);
  }

  private static Condition condition(ReadOnlyPolicyStatus s, String type) {
    return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  private static void assertHardened(Deployment d, String... paths) {
    for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
      assertThat(c.getSecurityContext()).as(c.getName()).isNotNull();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains(paths);
    }
    assertThat(d.getMetadata().getAnnotations()).containsKeys(Annotations.OWNER, Annotations.REVERT);
  }
}
