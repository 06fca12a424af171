package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.testing.ReadOnlyRun;
import dev.rootlock.testing.TestImage;
import java.io.IOException;
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
 * Seeded paths on a real API server, which validates what the mock cannot: an {@code image}
 * volume (its reference and pull policy) and an init container that mounts it. Both methods —
 * {@code Auto}, which picks {@code ImageVolume} on this 1.35+ server, and {@code Copy} — are
 * accepted, rolled out by the real Deployment controller into pods that carry the seeder and the
 * image volume, reported Compliant, and reverted exactly when the policies go. In learn mode, a
 * crash writing into a directory of the image's files (real output: sed editing a file of Debian's
 * nginx under a read-only root, replayed by the KWOK crash stage) becomes a seeded path, and the
 * workload converges.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedE2E {
  static final String SEEDED = "/etc/app/conf.d";
  static final String IMAGE = "registry.example/app:1";
  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, String> POLICY_OF = new LinkedHashMap<>();
  static final Map<String, JsonNode> ORIGINAL = new LinkedHashMap<>();

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    ns = TestNamespace.create(installation.cluster(), "seed");
    kube = new Kube(installation.cluster(), ns.name());
    kube.apply(Workloads.deployment("auto", 1, "RollingUpdate"));
    kube.apply(Workloads.deployment("copy", 1, "RollingUpdate").replace("tier: e2e", "tier: copy"));
    POLICY_OF.putAll(Map.of("auto", "seed-auto", "copy", "seed-copy"));
    for (String name : POLICY_OF.keySet()) {
      kube.awaitRolledOut("Deployment", name);
      ORIGINAL.put(name, kube.template("Deployment", name));
    }
    operator = OperatorProcess.start(installation, "seed", -1);
    operator.awaitLeader();
    kube.apply(Workloads.policy("seed-auto", "{selector: {matchLabels: {tier: e2e}}, seedPaths: [" + SEEDED + "]}"));
    kube.apply(Workloads.policy("seed-copy",
        "{selector: {matchLabels: {tier: copy}}, seedPaths: [" + SEEDED + "], seed: {method: Copy}}"));
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, operator);
  }

  @Test
  @Order(1)
  void bothMethodsAreAcceptedRolledOutAndCompliant() {
    POLICY_OF.forEach((name, policy) ->
        kube.awaitState(policy, "Deployment", name, WorkloadState.Compliant, Duration.ofSeconds(90)));

    JsonNode auto = kube.template("Deployment", "auto");
    assertThat(Kube.readOnlyContainers(auto)).containsExactly("app");
    assertThat(Kube.mounts(auto, "app")).contains(SEEDED);
    JsonNode autoSeeder = auto.at("/spec/initContainers/0");
    assertThat(autoSeeder.path("name").asText()).isEqualTo("rootlock-seed-app");
    List<JsonNode> imageVolumes = imageVolumes(auto);
    assertThat(imageVolumes).as("ImageVolume (Auto on a 1.35+ server): the app's image as a volume").hasSize(1);
    assertThat(imageVolumes.get(0).at("/image/reference").asText()).isEqualTo(IMAGE);
    assertThat(autoSeeder.path("image").asText()).as("the copier, not the app's image").isNotEqualTo(IMAGE);

    JsonNode copy = kube.template("Deployment", "copy");
    JsonNode copySeeder = copy.at("/spec/initContainers/0");
    assertThat(copySeeder.path("name").asText()).isEqualTo("rootlock-seed-app");
    assertThat(copySeeder.path("image").asText()).as("Copy: the app's own image copies").isEqualTo(IMAGE);
    assertThat(imageVolumes(copy)).isEmpty();
    assertThat(copySeeder.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(copySeeder.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();

    // the real controllers made pods of the seeded templates, and the API server stored them whole
    for (String name : POLICY_OF.keySet()) {
      kube.awaitRolledOut("Deployment", name);
      assertThat(Workloads.podsRunningHardened(kube, "app=" + name)).as(name).isEqualTo(1);
    }
    Pod pod = kube.admin().pods().inNamespace(ns.name()).withLabel("app", "auto").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst().orElseThrow();
    assertThat(pod.getSpec().getInitContainers()).extracting(io.fabric8.kubernetes.api.model.Container::getName).containsExactly("rootlock-seed-app");
    assertThat(pod.getSpec().getVolumes()).extracting(Volume::getImage).filteredOn(java.util.Objects::nonNull)
        .singleElement().satisfies(v -> assertThat(v.getReference()).isEqualTo(IMAGE));
  }

  @Test
  @Order(2)
  void deletingThePoliciesRevertsTheSeedersExactly() {
    for (String policy : POLICY_OF.values()) {
      kube.admin().resources(ReadOnlyPolicy.class).inNamespace(ns.name()).withName(policy).delete();
    }
    await("policies gone after their finalizers").atMost(Duration.ofSeconds(90))
        .until(() -> POLICY_OF.values().stream().allMatch(p -> kube.policy(p) == null));
    ORIGINAL.forEach((name, template) -> {
      assertThat(kube.template("Deployment", name)).as(name + " reverted exactly").isEqualTo(template);
      assertThat(kube.annotations("Deployment", name)).as(name).doesNotContainKeys("rootlock.dev/revert",
          "rootlock.dev/owner", "rootlock.dev/rollout");
    });
  }

  @Test
  @Order(3)
  void learnModeSeedsADirectoryOfTheImagesFilesAndConverges() throws IOException {
    Assumptions.localCrashStage(installation);
    TestImage.require();
    // the official nginx image's entrypoint edits its config with sed -i the same way
    String sed = ReadOnlyRun.terminationMessage(ReadOnlyRun.run(List.of(), "sh", "-c",
        "sed -i s/listen/listen/ /etc/nginx/sites-enabled/default"));
    assertThat(sed).contains("/etc/nginx/sites-enabled/sed", "Read-only file system");
    String writes = JSON.createArrayNode().add(JSON.createObjectNode().put("path", "/etc/nginx/sites-enabled")
        .put("message", sed)).toString();
    kube.apply(Workloads.deployment("editor", 1, "RollingUpdate").replace("tier: e2e", "tier: learning")
        .replace("metadata: {labels: {app: editor}}", "metadata: {labels: {app: editor}, "
            + "annotations: {crash.test.rootlock.dev/writes: '" + writes.replace("'", "''") + "'}}"));
    kube.awaitRolledOut("Deployment", "editor");
    kube.apply(Workloads.policy("learn", "{selector: {matchLabels: {tier: learning}}, rollout: {learn: true}}"));

    var entry = kube.awaitState("learn", "Deployment", "editor", WorkloadState.Compliant, Duration.ofSeconds(120));
    assertThat(entry.getLearnedPaths()).containsExactly("/etc/nginx/sites-enabled");
    JsonNode t = kube.template("Deployment", "editor");
    assertThat(Kube.mounts(t, "app")).contains("/etc/nginx/sites-enabled");
    assertThat(t.at("/spec/initContainers/0/name").asText()).isEqualTo("rootlock-seed-app");
    kube.awaitRolledOut("Deployment", "editor");
    assertThat(Workloads.podsRunningHardened(kube, "app=editor")).isEqualTo(1);
  }

  private static List<JsonNode> imageVolumes(JsonNode template) {
    List<JsonNode> found = new java.util.ArrayList<>();
    template.at("/spec/volumes").forEach(v -> {
      if (v.has("image")) {
        found.add(v);
      }
    });
    return found;
  }
}
