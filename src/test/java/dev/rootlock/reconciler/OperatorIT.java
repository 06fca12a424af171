package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
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
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real Operator against the fabric8 mock API server in CRUD mode, every scenario for every kind. */
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

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void hardensSelectedWorkloadsWhenThePolicyIsCreated(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.create(kind.build("api", "{tier: backend}", "{containers: [{name: app, image: api}]}"));
    cluster.startOperator();

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));
    eventually(() -> {
      ReadOnlyPolicyStatus s = status("web");
      assertThat(s.getMatched()).isEqualTo(1);
      assertThat(s.getCompliant()).isEqualTo(1);
      assertThat(s.getObservedGeneration()).isEqualTo(1L);
      assertThat(s.getWorkloads()).singleElement().satisfies(w -> assertThat(w.getKind()).isEqualTo(kind.kind()));
      assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
      assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
    });
    HasMetadata api = get(kind, "api");
    assertThat(template(kind, api).getSpec().getContainers().get(0).getSecurityContext()).isNull();
    assertThat(api.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void hardensAWorkloadCreatedAfterThePolicy(TestKind kind) {
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NothingSelected"));

    cluster.create(kind.web("late"));

    eventually(() -> assertHardened(get(kind, "late"), kind, "/tmp", "/var/cache/nginx"));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void correctsDriftWhenSomeoneRevertsTheHardening(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));
    HasMetadata hardened = get(kind, "web");

    cluster.edit(kind, NS, "web", o -> {
      Container app = template(kind, o).getSpec().getContainers().get(0);
      app.getSecurityContext().setReadOnlyRootFilesystem(false);
      app.setVolumeMounts(List.of());
    });

    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));
    HasMetadata fixed = get(kind, "web");
    assertThat(tree(template(kind, fixed))).isEqualTo(tree(template(kind, hardened)));
    assertThat(fixed.getMetadata().getAnnotations().get(Annotations.REVERT))
        .isEqualTo(hardened.getMetadata().getAnnotations().get(Annotations.REVERT));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void writesNothingWhenReconcilingACompliantWorkloadAgain(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.takeRequests();
    cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    Cluster.settle(Duration.ofMillis(500));
    var firstRound = Cluster.workloadWrites(cluster.takeRequests());
    assertThat(firstRound).as("the one hardening patch, whatever the kind").hasSize(1);
    String policyVersion = cluster.policy(NS, "web").getMetadata().getResourceVersion();

    // resync every second: at least two more full reconciles of the compliant workload
    Cluster.settle(Duration.ofMillis(2500));

    var requests = cluster.takeRequests();
    assertThat(Cluster.workloadWrites(requests)).isEmpty();
    assertThat(requests).noneMatch(r -> !"GET".equals(r.getMethod()) && r.getPath().contains("readonlypolicies"));
    assertThat(cluster.policy(NS, "web").getMetadata().getResourceVersion()).isEqualTo(policyVersion);
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void leavesExcludedWorkloadsAloneAndRevertsOnesThatBecomeExcluded(TestKind kind) {
    HasMetadata optedOut = kind.web("legacy");
    optedOut.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.EXCLUDE, "true")));
    HasMetadata original = cluster.create(kind.web("web"));
    cluster.create(optedOut);
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));
    eventually(() -> assertThat(workload("web", "legacy").getState()).isEqualTo(WorkloadState.Excluded));
    assertThat(get(kind, "legacy").getMetadata().getGeneration()).isEqualTo(1L);

    cluster.edit(kind, NS, "web", o -> o.getMetadata().getAnnotations().put(Annotations.EXCLUDE, "true"));

    eventually(() -> assertThat(workload("web", "web").getState()).isEqualTo(WorkloadState.Excluded));
    HasMetadata reverted = get(kind, "web");
    assertThat(tree(template(kind, reverted))).isEqualTo(tree(template(kind, original)));
    assertThat(reverted.getMetadata().getAnnotations()).containsOnlyKeys(Annotations.EXCLUDE);
    eventually(() -> {
      assertThat(condition(status("web"), "Ready").getStatus()).isEqualTo("True");
      assertThat(status("web").getCompliant()).isZero();
      assertThat(status("web").getMatched()).isEqualTo(2);
    });
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void windowsPodsAreExcludedAndNeverWritten(TestKind kind) {
    cluster.create(kind.build("win", "{tier: web}", "{os: {name: windows}, containers: [{name: app, image: iis}]}"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> {
      WorkloadStatus w = workload("web", "win");
      assertThat(w.getState()).isEqualTo(WorkloadState.Excluded);
      assertThat(w.getMessage()).contains("Windows").contains("cannot have a read-only root filesystem");
      assertThat(condition(status("web"), "Ready").getStatus()).isEqualTo("True");
    });
    assertThat(Cluster.workloadWrites(cluster.takeRequests())).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aSecondPolicyOverTheSameWorkloadReportsConflictAndWritesNothing(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("first", WEB_POLICY));
    eventually(() -> assertThat(status("first").getCompliant()).isEqualTo(1));
    HasMetadata owned = get(kind, "web");

    cluster.create(policy("second", "{selector: {matchExpressions: [{key: tier, operator: In, values: [web]}]},"
        + " tmpPaths: [/scratch]}"));

    eventually(() -> {
      WorkloadStatus w = workload("second", "web");
      assertThat(w.getState()).isEqualTo(WorkloadState.Conflict);
      assertThat(w.getMessage()).contains("first").contains("annotate the " + kind.kind());
      assertThat(condition(status("second"), "Degraded").getReason()).isEqualTo("WorkloadConflict");
      assertThat(condition(status("second"), "Ready").getStatus()).isEqualTo("False");
    });
    HasMetadata after = get(kind, "web");
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(owned.getMetadata().getResourceVersion());
    assertThat(after.getMetadata().getAnnotations()).containsEntry(Annotations.OWNER, "first");
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void everyWriteOfTheOperatorCarriesTheRootlockFieldManager(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.takeRequests();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
    eventually(() -> assertThat(cluster.policy(NS, "web")).isNull());

    var operatorWrites = cluster.takeRequests().stream()
        .filter(r -> r.getMethod().equals("PATCH") || r.getMethod().equals("PUT")).toList();
    assertThat(operatorWrites).extracting(r -> r.getPath())
        .anyMatch(p -> p.contains("/" + kind.model().plural() + "/web"))
        .anyMatch(p -> p.endsWith("/status") || p.contains("/status?"))
        .allMatch(p -> p.contains("fieldManager=rootlock"));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void relabellingAWorkloadIntoTheSelectorHardensIt(TestKind kind) {
    cluster.create(kind.build("api", "{tier: backend}", "{containers: [{name: app, image: api}]}"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NothingSelected"));

    cluster.edit(kind, NS, "api", o -> o.getMetadata().getLabels().put("tier", "web"));

    eventually(() -> assertHardened(get(kind, "api"), kind, "/tmp", "/var/cache/nginx"));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void auditModeReportsButNeverWrites(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}, mode: Audit}"));

    eventually(() -> {
      WorkloadStatus w = workload("web", "web");
      assertThat(w.getState()).isEqualTo(WorkloadState.NonCompliant);
      assertThat(w.getMessage()).contains("Audit").contains("/tmp");
      assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NonCompliant");
    });
    assertThat(Cluster.workloadWrites(cluster.takeRequests())).isEmpty();
    assertThat(get(kind, "web").getMetadata().getGeneration()).isEqualTo(1L);
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void invalidSpecIsReportedNamingTheFieldAndWritesNoWorkload(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", "{tmpPaths: [tmp, /proc/self], sizeLimit: lots, kinds: [" + kind.kind() + ", Pod]}"));

    eventually(() -> {
      Condition ready = condition(status("web"), "Ready");
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo("InvalidSpec");
      assertThat(ready.getMessage()).contains("spec.tmpPaths[0]").contains("spec.tmpPaths[1]")
          .contains("spec.sizeLimit").contains("spec.kinds[1]: \"Pod\" is not a kind a policy selects");
      assertThat(condition(status("web"), "Degraded").getStatus()).isEqualTo("True");
    });
    assertThat(Cluster.workloadWrites(cluster.takeRequests())).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aPolicyLimitedToOtherKindsLeavesThisKindAlone(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.takeRequests();
    String others = String.join(", ", java.util.Arrays.stream(TestKind.values()).filter(k -> k != kind)
        .map(TestKind::kind).toList());

    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}, kinds: [" + others + "]}"));

    eventually(() -> assertThat(condition(status("web"), "Ready").getReason()).isEqualTo("NothingSelected"));
    Cluster.settle(Duration.ofMillis(500));
    assertThat(Cluster.workloadWrites(cluster.takeRequests())).isEmpty();

    cluster.editPolicy(NS, "web", p -> {
      p.getSpec().setKinds(List.of(kind.kind()));
    });
    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp"));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void deletingThePolicyRestoresTheOriginalTemplateExactly(TestKind kind) {
    HasMetadata original = cluster.create(kind.build("web", "{tier: web}", """
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
    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();

    eventually(() -> assertThat(cluster.policy(NS, "web")).isNull());
    HasMetadata reverted = get(kind, "web");
    assertThat(tree(template(kind, reverted))).isEqualTo(tree(template(kind, original)));
    assertThat(reverted.getMetadata().getAnnotations()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void narrowingTheSelectorRevertsWorkloadsNoLongerSelected(TestKind kind) {
    HasMetadata original = cluster.create(kind.build("canary", "{tier: web, track: canary}",
        "{containers: [{name: app, image: nginx}]}"));
    cluster.create(kind.build("stable", "{tier: web, track: stable}", "{containers: [{name: app, image: nginx}]}"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(2));

    cluster.editPolicy(NS, "web", p -> {
      p.getSpec().getSelector().getMatchLabels().put("track", "stable");
    });

    eventually(() -> {
      assertThat(status("web").getMatched()).isEqualTo(1);
      HasMetadata canary = get(kind, "canary");
      assertThat(tree(template(kind, canary))).isEqualTo(tree(template(kind, original)));
      assertThat(canary.getMetadata().getAnnotations()).isEmpty();
    });
    assertHardened(get(kind, "stable"), kind, "/tmp", "/var/cache/nginx");
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void removingAPathFromTheSpecUndoesOnlyThatPath(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));

    cluster.editPolicy(NS, "web", p -> {
      p.getSpec().setCachePaths(List.of());
    });

    eventually(() -> {
      PodTemplateSpec t = cluster.template(kind, NS, "web");
      assertThat(t.getSpec().getContainers().get(0).getVolumeMounts()).extracting(m -> m.getMountPath())
          .containsExactly("/tmp");
      assertThat(t.getSpec().getVolumes()).hasSize(1);
    });
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aRestartedOperatorNeitherDuplicatesVolumesNorLosesTheRevertRecord(TestKind kind) {
    HasMetadata original = cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    HasMetadata hardened = get(kind, "web");
    cluster.stopOperator();
    cluster.takeRequests();

    cluster.startOperator();
    Cluster.settle(Duration.ofSeconds(2));

    assertThat(Cluster.workloadWrites(cluster.takeRequests())).isEmpty();
    HasMetadata after = get(kind, "web");
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(hardened.getMetadata().getResourceVersion());
    assertThat(template(kind, after).getSpec().getVolumes()).hasSize(2);

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
    eventually(() -> assertThat(tree(cluster.template(kind, NS, "web"))).isEqualTo(tree(template(kind, original))));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aWorkloadTheApiRefusesIsFailedWhileTheOthersProceed(TestKind kind) {
    cluster.create(kind.web("good"));
    // The API server rejects this one: a PATCH to it answers 422, as a validating webhook would.
    server.expect().patch().withPath("/apis/" + kind.model().apiVersion() + "/namespaces/" + NS + "/"
            + kind.model().plural() + "/refused?fieldManager=rootlock")
        .andReturn(422, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(422)
            .withMessage("admission webhook \"policy.example.com\" denied the request").build())
        .always();
    cluster.create(kind.web("refused"));
    cluster.startOperator();

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> {
      WorkloadStatus refused = workload("web", "refused");
      assertThat(refused.getState()).isEqualTo(WorkloadState.Failed);
      assertThat(refused.getMessage()).startsWith("PatchRejected: ").contains("denied the request")
          .endsWith("fix the " + kind.kind() + " or exclude it");
      assertThat(workload("web", "good").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(condition(status("web"), "Degraded").getReason()).isEqualTo("WorkloadFailed");
    });
    assertHardened(get(kind, "good"), kind, "/tmp", "/var/cache/nginx");
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void anOlderAuditPolicyNeitherBlocksNorIsBlockedByAnEnforcingOne(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("preview", "{mode: Audit, cachePaths: [/var/cache/nginx]}"));
    eventually(() -> assertThat(workload("preview", "web").getState()).isEqualTo(WorkloadState.NonCompliant));

    cluster.create(policy("web", WEB_POLICY));

    eventually(() -> assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx"));
    eventually(() -> {
      assertThat(workload("web", "web").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(workload("preview", "web").getState()).isEqualTo(WorkloadState.Compliant);
    });
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void auditModeNeverRevertsEvenWhenItsSelectorNarrows(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("web", WEB_POLICY));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    cluster.editPolicy(NS, "web", p -> {
      p.getSpec().setMode(dev.rootlock.api.Mode.Audit);
    });
    eventually(() -> assertThat(status("web").getObservedGeneration()).isEqualTo(2L));
    cluster.takeRequests();

    cluster.editPolicy(NS, "web", p -> {
      p.getSpec().getSelector().getMatchLabels().put("tier", "nothing");
    });

    eventually(() -> assertThat(status("web").getMatched()).isZero());
    assertThat(Cluster.workloadWrites(cluster.takeRequests())).isEmpty();
    assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache/nginx");
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void anOwnerWithAnInvalidSpecKeepsItsWorkloadsUntilFixed(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.create(policy("first", WEB_POLICY));
    eventually(() -> assertThat(status("first").getCompliant()).isEqualTo(1));
    cluster.create(policy("second", "{selector: {matchLabels: {tier: web}}, cachePaths: [/data]}"));
    eventually(() -> assertThat(workload("second", "web").getState()).isEqualTo(WorkloadState.Conflict));
    String version = get(kind, "web").getMetadata().getResourceVersion();

    cluster.editPolicy(NS, "first", p -> {
      p.getSpec().setTmpPaths(List.of("relative"));
    });

    eventually(() -> assertThat(condition(status("first"), "Ready").getReason()).isEqualTo("InvalidSpec"));
    Cluster.settle(Duration.ofSeconds(1));
    eventually(() -> assertThat(workload("second", "web").getMessage()).contains("first").contains("invalid"));
    assertThat(get(kind, "web").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void conflictClearsWhenTheOwnerIsDeletedEvenIfItNeverWroteTheWorkload(TestKind kind) {
    cluster.create(kind.build("web", "{tier: web}",
        "{containers: [{name: app, image: nginx, securityContext: {readOnlyRootFilesystem: true},"
            + " terminationMessagePolicy: FallbackToLogsOnError,"
            + " volumeMounts: [{name: tmp, mountPath: /tmp}]}], volumes: [{name: tmp, emptyDir: {}}]}"));
    cluster.startOperator();
    cluster.create(policy("first", "{}"));
    eventually(() -> assertThat(workload("first", "web").getState()).isEqualTo(WorkloadState.Compliant));
    cluster.create(policy("second", "{cachePaths: [/var/cache]}"));
    eventually(() -> assertThat(workload("second", "web").getState()).isEqualTo(WorkloadState.Conflict));

    client.resources(ReadOnlyPolicy.class).inNamespace(NS).withName("first").delete();

    eventually(() -> assertThat(workload("second", "web").getState()).isEqualTo(WorkloadState.Compliant));
    assertHardened(get(kind, "web"), kind, "/tmp", "/var/cache");
  }

  @org.junit.jupiter.api.Test
  void aRunningStandaloneJobIsReportedNeverWrittenAndJobsOfACronJobOrFinishedOnesAreNot() {
    cluster.create(job("adhoc", null, false, "{containers: [{name: app, image: tool}]}"));
    cluster.create(job("hardened", null, false, "{containers: [{name: app, image: tool, terminationMessagePolicy: "
        + "FallbackToLogsOnError, securityContext: {readOnlyRootFilesystem: true}, volumeMounts: [{name: t, "
        + "mountPath: /tmp}]}], volumes: [{name: t, emptyDir: {}}]}"));
    cluster.create(job("done", null, true, "{containers: [{name: app, image: tool}]}"));
    HasMetadata cron = cluster.create(TestKind.CRON_JOB.web("nightly"));
    cluster.create(job("nightly-1", cron, false, "{containers: [{name: app, image: nginx}]}"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}, kinds: [CronJob]}"));

    eventually(() -> {
      ReadOnlyPolicyStatus s = status("web");
      assertThat(s.getWorkloads()).extracting(w -> w.getKind() + " " + w.getName())
          .containsExactly("Job adhoc", "Job hardened", "CronJob nightly");
      WorkloadStatus adhoc = workload("web", "adhoc");
      assertThat(adhoc.getState()).isEqualTo(WorkloadState.NonCompliant);
      assertThat(adhoc.getMessage()).startsWith("would change: read-only root: app")
          .contains("a Job's pod template cannot change once it is created, so Rootlock only reports it: harden its "
              + "manifest with rootlock plan, or start it from a CronJob the policy selects");
      assertThat(workload("web", "hardened").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(s.getMatched()).isEqualTo(3);
      assertThat(s.getCompliant()).isEqualTo(2);
    });
    assertThat(cluster.takeRequests()).as("Jobs are never written")
        .noneMatch(r -> !"GET".equals(r.getMethod()) && r.getPath().contains("/jobs"));

    // A policy for Deployments only does not look at Jobs at all.
    cluster.create(policy("deployments", "{selector: {matchLabels: {tier: web}}, kinds: [Deployment]}"));
    eventually(() -> assertThat(condition(status("deployments"), "Ready").getReason()).isEqualTo("NothingSelected"));
  }

  private static io.fabric8.kubernetes.api.model.batch.v1.Job job(String name, HasMetadata owner, boolean finished,
      String podSpec) {
    var j = dev.rootlock.testing.Manifests.parse("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: %s, namespace: %s, labels: {tier: web}}
        spec: {template: {metadata: {labels: {app: %s}}}}
        """.formatted(name, NS, name), io.fabric8.kubernetes.api.model.batch.v1.Job.class);
    j.getSpec().getTemplate().setSpec(dev.rootlock.testing.Manifests.parse(podSpec, io.fabric8.kubernetes.api.model.PodSpec.class));
    j.getSpec().getTemplate().getSpec().setRestartPolicy("Never");
    if (owner != null) {
      j.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
          .withApiVersion("batch/v1").withKind("CronJob").withName(owner.getMetadata().getName())
          .withUid(owner.getMetadata().getUid()).withController(true).build()));
    }
    if (finished) {
      j.setStatus(dev.rootlock.testing.Manifests.parse("{succeeded: 1, conditions: [{type: Complete, status: 'True'}]}",
          io.fabric8.kubernetes.api.model.batch.v1.JobStatus.class));
    }
    return j;
  }

  // --- helpers ----------------------------------------------------------------------------

  private static void eventually(ThrowingRunnable assertion) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(assertion);
  }

  private HasMetadata get(TestKind kind, String name) {
    return cluster.get(kind, NS, name);
  }

  private static PodTemplateSpec template(TestKind kind, HasMetadata o) {
    return kind.model().template(o);
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

  private static void assertHardened(HasMetadata o, TestKind kind, String... paths) {
    for (Container c : template(kind, o).getSpec().getContainers()) {
      assertThat(c.getSecurityContext()).as(c.getName()).isNotNull();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains(paths);
    }
    assertThat(o.getMetadata().getAnnotations()).containsKeys(Annotations.OWNER, Annotations.REVERT);
  }
}
