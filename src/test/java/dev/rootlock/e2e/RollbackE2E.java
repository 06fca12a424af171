package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.testing.ReadOnlyRun;
import dev.rootlock.testing.TestImage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hardened app that crashes is rolled back through the real Deployment controller, and the
 * path it needed is named; learn mode converges. The crash is real output: Debian's nginx run
 * read-only under Podman, once per missing directory, replayed by the local control plane's KWOK
 * stage (src/test/cluster/stages/pod-crash.yaml) for any pod that runs it read-only without a
 * writable mount at that directory, as the kubelet would report it.
 */
class RollbackE2E {
  static final ObjectMapper JSON = new ObjectMapper();

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;
  /** The annotation value telling the crash stage what nginx writes and prints. */
  static String nginxWrites;

  @BeforeAll
  static void setUp() throws IOException {
    TestImage.require();
    ArrayNode writes = JSON.createArrayNode();
    List<String> writable = new ArrayList<>();
    for (String dir : ReadOnlyRun.NGINX_NEEDS) {
      writes.addObject().put("path", dir).put("message", ReadOnlyRun.terminationMessage(ReadOnlyRun.nginx(writable)));
      writable.add(dir);
    }
    nginxWrites = writes.toString();
    installation = Installation.get();
    Assumptions.localCrashStage(installation);
    ns = TestNamespace.create(installation.cluster(), "rollback");
    kube = new Kube(installation.cluster(), ns.name());
    operator = OperatorProcess.start(installation, "rollback", Installation.WEBHOOK_PORT);
    operator.awaitLeader();
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, operator);
  }

  /** A Deployment running "nginx": its pods crash as nginx does where it cannot write. */
  static String nginx(String name, String tier) {
    return Workloads.deployment(name, 2, "RollingUpdate").replace("tier: e2e", "tier: " + tier)
        .replace("metadata: {labels: {app: " + name + "}}", "metadata: {labels: {app: " + name + "}, "
            + "annotations: {crash.test.rootlock.dev/writes: '" + nginxWrites.replace("'", "''") + "'}}");
  }

  @Test
  void aCrashIsRolledBackToTheExactTemplateWithThePathNamed() {
    kube.apply(nginx("web", "crashing"));
    kube.awaitRolledOut("Deployment", "web");
    JsonNode before = kube.template("Deployment", "web");
    kube.apply(Workloads.policy("strict", "{selector: {matchLabels: {tier: crashing}}}"));

    WorkloadStatus entry = kube.awaitState("strict", "Deployment", "web", WorkloadState.RolledBack,
        Duration.ofSeconds(90));
    assertThat(entry.getMessage()).contains("/var/lib/nginx").contains("cachePaths");
    assertThat(kube.template("Deployment", "web")).as("rolled back exactly").isEqualTo(before);
    kube.awaitRolledOut("Deployment", "web");
    assertThat(Workloads.podsRunningHardened(kube, "app=web")).isZero();
  }

  @Test
  void learnModeAddsEveryPathNginxNeedsAndConverges() {
    kube.apply(nginx("learner", "learning"));
    kube.awaitRolledOut("Deployment", "learner");
    kube.apply(Workloads.policy("learn", "{selector: {matchLabels: {tier: learning}}, rollout: {learn: true}}"));

    WorkloadStatus entry = kube.awaitState("learn", "Deployment", "learner", WorkloadState.Compliant,
        Duration.ofSeconds(180));
    assertThat(entry.getLearnedPaths()).containsExactlyElementsOf(ReadOnlyRun.NGINX_NEEDS);
    assertThat(Kube.mounts(kube.template("Deployment", "learner"), "app")).containsAll(ReadOnlyRun.NGINX_NEEDS);
    kube.awaitRolledOut("Deployment", "learner");
    assertThat(Workloads.podsRunningHardened(kube, "app=learner")).isEqualTo(2);
  }
}
