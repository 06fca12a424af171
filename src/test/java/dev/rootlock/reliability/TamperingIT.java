package dev.rootlock.reliability;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Hand-edited annotations, odd objects, racing policies, other namespaces, and what the logs
 * reveal, for every kind.
 */
class TamperingIT {
  Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static void eventually(ThrowingRunnable r) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(r);
  }

  private ReadOnlyPolicyStatus status(String policy) {
    ReadOnlyPolicy p = cluster.policy(NS, policy);
    assertThat(p).isNotNull();
    assertThat(p.getStatus()).isNotNull();
    return p.getStatus();
  }

  private WorkloadStatus workload(String policy, String name) {
    return status(policy).getWorkloads().stream().filter(w -> w.getName().equals(name)).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aGarbageRevertRecordIsReportedNeverTrustedAndDeletionStillCompletes(TestKind kind) {
    HasMetadata goodOriginal = cluster.create(kind.web("good"));
    cluster.create(kind.web("tampered"));
    cluster.startOperator();
    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(2));
    HasMetadata hardened = cluster.edit(kind, NS, "tampered",
        o -> o.getMetadata().getAnnotations().put(Annotations.REVERT, "{\"v\":1,garbage"));

    eventually(() -> {
      WorkloadStatus w = workload("web", "tampered");
      assertThat(w.getState()).isEqualTo(WorkloadState.Failed);
      assertThat(w.getMessage()).startsWith("RevertRecordInvalid: ").contains(Annotations.REVERT).contains("cannot be trusted");
      assertThat(workload("web", "good").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(status("web").getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Degraded");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("WorkloadFailed");
      });
    });

    cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();

    eventually(() -> assertThat(cluster.policy(NS, "web")).isNull());
    assertThat(tree(cluster.template(kind, NS, "good"))).isEqualTo(tree(kind.model().template(goodOriginal)));
    assertThat(tree(cluster.template(kind, NS, "tampered"))).as("left as it was")
        .isEqualTo(tree(kind.model().template(hardened)));
    eventually(() -> assertThat(cluster.client().resources(Event.class).inNamespace(NS).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getRegarding().getName()).isEqualTo("tampered");
          assertThat(e.getRegarding().getKind()).isEqualTo(kind.kind());
          assertThat(e.getReason()).isEqualTo("RevertRecordInvalid");
          assertThat(e.getType()).isEqualTo("Warning");
        }));
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void oddWorkloadsGetAClearStateAndNeverStopTheOthers(TestKind kind) {
    cluster.create(kind.build("empty", "{tier: web}", "{containers: []}"));
    cluster.create(kind.build("no-containers", "{tier: web}", "{volumes: [{name: v, emptyDir: {}}]}"));
    cluster.create(kind.build("duplicate-volumes", "{tier: web}",
        "{containers: [{name: app, image: x}], volumes: [{name: v, emptyDir: {}}, {name: v, configMap: {name: c}}]}"));
    String longName = "c" + "x".repeat(62);
    cluster.create(kind.build("long-names", "{tier: web}", "{containers: [{name: " + longName + ", image: x}]}"));
    cluster.create(kind.build("named-like-ours", "{tier: web}",
        "{containers: [{name: rl-app-tmp-cdbfbd, image: x}, {name: app, image: y}]}"));
    cluster.create(kind.web("normal"));
    cluster.startOperator();

    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> {
      assertThat(status("web").getMatched()).isEqualTo(6);
      assertThat(workload("web", "normal").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(workload("web", "empty").getMessage()).contains("no container");
      assertThat(workload("web", "no-containers").getMessage()).contains("no container");
      assertThat(workload("web", "long-names").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(workload("web", "named-like-ours").getState()).isEqualTo(WorkloadState.Compliant);
      assertThat(workload("web", "duplicate-volumes").getState()).isIn(WorkloadState.Compliant, WorkloadState.Failed);
    });
    var volumes = cluster.template(kind, NS, "long-names").getSpec().getVolumes();
    assertThat(volumes).singleElement().satisfies(v -> assertThat(v.getName()).hasSizeLessThanOrEqualTo(63));
    var ours = cluster.template(kind, NS, "named-like-ours").getSpec().getVolumes();
    assertThat(ours).extracting(v -> v.getName()).doesNotHaveDuplicates().hasSize(2);
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void twoPoliciesCreatedInTheSameSecondSettleOnOneOwnerWithoutFlipFlopping(TestKind kind) {
    for (int i = 0; i < 5; i++) {
      cluster.create(kind.web("web-" + i));
    }
    cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.takeRequests();

    cluster.create(policy("beta", "{selector: {matchLabels: {tier: web}}, cachePaths: [/b]}"));
    cluster.create(policy("alpha", "{selector: {matchLabels: {tier: web}}, cachePaths: [/a]}"));

    eventually(() -> {
      int alpha = status("alpha").getCompliant();
      int beta = status("beta").getCompliant();
      assertThat(alpha + beta).isEqualTo(5);
      long conflicts = status("alpha").getWorkloads().stream().filter(w -> w.getState() == WorkloadState.Conflict).count()
          + status("beta").getWorkloads().stream().filter(w -> w.getState() == WorkloadState.Conflict).count();
      assertThat(conflicts).isEqualTo(5);
    });
    Cluster.settle(Duration.ofMillis(500));
    long applied = appliedWrites(kind);
    Cluster.settle(Duration.ofSeconds(3)); // three resyncs of both policies
    assertThat(appliedWrites(kind)).as("no flip-flop: no write after settling").isEqualTo(applied);
    // Racing writers may meet a 409 (refused, nothing written); what the server applied is one each.
    assertThat(applied).as("one applied write per workload").isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      String owner = cluster.get(kind, NS, "web-" + i).getMetadata().getAnnotations().get(Annotations.OWNER);
      assertThat(owner).isIn("alpha", "beta");
    }
  }

  private long appliedWrites(TestKind kind) {
    return cluster.api().exchanges().stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains("/" + kind.model().plural() + "/")
            && e.status() < 300).count();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void aPolicyNeverTouchesAnotherNamespace(TestKind kind) {
    HasMetadata other = kind.web("web");
    other.getMetadata().setNamespace("other");
    cluster.create(other);
    cluster.create(kind.web("web"));
    cluster.startOperator();
    cluster.takeRequests();

    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(status("web").getCompliant()).isEqualTo(1));
    assertThat(status("web").getMatched()).isEqualTo(1);
    var requests = cluster.takeRequests();
    assertThat(Cluster.workloadWrites(requests)).extracting(r -> r.getPath()).isNotEmpty();
    assertThat(requests).extracting(r -> r.getPath()).as("no request names the other namespace")
        .noneMatch(p -> p.contains("/namespaces/other/"));
    HasMetadata untouched = cluster.get(kind, "other", "web");
    assertThat(untouched.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(untouched.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void logsNeverShowEnvValuesOrWholeObjects(TestKind kind) {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger rootlock = (Logger) LoggerFactory.getLogger("dev.rootlock");
    Level before = rootlock.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    rootlock.setLevel(Level.DEBUG);
    try {
      cluster.create(kind.build("secretive", "{tier: web}", "{containers: [{name: app, image: x, "
          + "env: [{name: API_TOKEN, value: hunter2-very-secret}]}]}"));
      cluster.create(kind.build("refused", "{tier: web}", "{containers: [{name: app, image: x, "
          + "env: [{name: DB_PASSWORD, value: correct-horse-battery}]}]}"));
      cluster.server().expect().patch().withPath("/apis/" + kind.model().apiVersion() + "/namespaces/" + NS + "/"
              + kind.model().plural() + "/refused?fieldManager=rootlock")
          .andReturn(422, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(422).withMessage("denied").build())
          .always();
      cluster.startOperator();
      cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
      eventually(() -> assertThat(status("web").getMatched()).isEqualTo(2));
      eventually(() -> assertThat(workload("web", "refused").getState()).isEqualTo(WorkloadState.Failed));
      cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
      eventually(() -> assertThat(cluster.policy(NS, "web")).isNull());
    } finally {
      root.detachAppender(logs);
      rootlock.setLevel(before);
    }
    List<String> lines = logs.list.stream().map(e -> e.getFormattedMessage()
        + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).toList();
    assertThat(lines).as("the scenario logged something").isNotEmpty();
    assertThat(lines).noneMatch(l -> l.contains("hunter2") || l.contains("correct-horse"));
    assertThat(lines).noneMatch(l -> l.contains("apiVersion") || l.contains("\"spec\"") || l.contains("spec="));
  }
}
