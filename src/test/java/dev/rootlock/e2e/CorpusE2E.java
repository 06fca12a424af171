package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.testing.Corpus;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every workload of {@code ../shared/corpus} (real manifests of public projects) created through
 * the real API server, one namespace per file, rolled out by the real controllers; one policy per
 * namespace selecting everything; each workload hardened and compliant, then reverted exactly to
 * the template the API server stored before Rootlock touched it when the policy is deleted. What a
 * manifest needs from elsewhere to roll out is provided as a user's cluster would: its
 * ServiceAccounts, and PersistentVolumes for a StatefulSet's claims (no provisioner runs here).
 */
class CorpusE2E {
  static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");
  static final String POLICY = "everything";

  static Installation installation;
  static OperatorProcess operator;
  /** Per namespace: its workloads, kind/name to the template as stored before the policy. */
  static final Map<String, Map<String, JsonNode>> ORIGINAL = new LinkedHashMap<>();
  static final List<TestNamespace> NAMESPACES = new ArrayList<>();
  static final List<String> VOLUMES = new ArrayList<>();
  static final List<String> CLASSES = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    E2ECluster cluster = installation.cluster();
    Map<Path, List<Corpus.Document>> byFile = new LinkedHashMap<>();
    for (Corpus.Document d : Corpus.documents()) {
      if (KINDS.contains(d.kind()) && d.node().at("/spec/selector").isObject()) {
        byFile.computeIfAbsent(d.file(), f -> new ArrayList<>()).add(d);
      }
    }
    int i = 0;
    for (var e : byFile.entrySet()) {
      TestNamespace ns = TestNamespace.create(cluster, "corpus-" + i++);
      NAMESPACES.add(ns);
      Kube kube = new Kube(cluster, ns.name());
      Map<String, JsonNode> originals = new LinkedHashMap<>();
      for (Corpus.Document d : e.getValue()) {
        ObjectNode o = d.node().deepCopy();
        o.put("apiVersion", "apps/v1"); // an old manifest's apps/v1beta2 is served as apps/v1
        ((ObjectNode) o.get("metadata")).remove("namespace");
        String sa = o.at("/spec/template/spec/serviceAccountName").asText("");
        if (!sa.isEmpty() && cluster.admin().serviceAccounts().inNamespace(ns.name()).withName(sa).get() == null) {
          cluster.admin().resource(new ServiceAccountBuilder().withNewMetadata().withName(sa)
              .withNamespace(ns.name()).endMetadata().build()).create();
        }
        volumesFor(cluster, ns.name(), o);
        kube.apply(o.toString());
        originals.put(d.kind() + "/" + o.at("/metadata/name").asText(), null);
      }
      originals.replaceAll((key, none) -> {
        String[] kn = key.split("/", 2);
        kube.awaitRolledOut(kn[0], kn[1]);
        return kube.template(kn[0], kn[1]);
      });
      ORIGINAL.put(ns.name(), originals);
    }
    operator = OperatorProcess.start(installation, "corpus", -1);
    operator.awaitLeader();
  }

  @AfterAll
  static void tearDown() {
    try {
      NAMESPACES.forEach(TestNamespace::close);
      VOLUMES.forEach(v -> installation.cluster().admin().persistentVolumes().withName(v).delete());
      CLASSES.forEach(c -> installation.cluster().admin().storage().v1().storageClasses().withName(c).delete());
    } finally {
      OperatorProcess.tearDown(installation, null, operator);
    }
  }

  @Test
  void everyWorkloadIsHardenedCompliantAndRevertedExactly() {
    E2ECluster cluster = installation.cluster();
    ORIGINAL.keySet().forEach(ns -> new Kube(cluster, ns).apply(Workloads.policy(POLICY, "{}")));
    ORIGINAL.forEach((ns, workloads) -> {
      Kube kube = new Kube(cluster, ns);
      workloads.forEach((key, original) -> {
        String[] kn = key.split("/", 2);
        kube.awaitState(POLICY, kn[0], kn[1], WorkloadState.Compliant, Duration.ofSeconds(180));
        JsonNode hardened = kube.template(kn[0], kn[1]);
        List<String> containers = new ArrayList<>();
        hardened.at("/spec/containers").forEach(c -> containers.add(c.path("name").asText()));
        assertThat(Kube.readOnlyContainers(hardened)).as(ns + " " + key).containsExactlyElementsOf(containers);

      });
    });
    ORIGINAL.keySet().forEach(ns ->
        cluster.admin().resources(ReadOnlyPolicy.class).inNamespace(ns).withName(POLICY).delete());
    ORIGINAL.forEach((ns, workloads) -> {
      Kube kube = new Kube(cluster, ns);
      workloads.forEach((key, original) -> {
        String[] kn = key.split("/", 2);
        await(ns + " " + key + " reverted").atMost(Duration.ofSeconds(120)).untilAsserted(() ->
            assertThat(kube.template(kn[0], kn[1])).isEqualTo(original));
        assertThat(kube.annotations(kn[0], kn[1])).as(ns + " " + key).doesNotContainKeys("rootlock.dev/revert",
            "rootlock.dev/owner", "rootlock.dev/rollout");
      });
    });
  }

  /**
   * A PersistentVolume for each claim each replica of a StatefulSet makes, matching the claim, and
   * its StorageClass when the cluster lacks it (no provisioner: the volumes are made here).
   */
  private static void volumesFor(E2ECluster cluster, String namespace, JsonNode workload) {
    int replicas = workload.at("/spec/replicas").asInt(1);
    for (JsonNode claim : workload.at("/spec/volumeClaimTemplates")) {
      // the class as the claim names it: the field, or the beta annotation older manifests use
      String storageClass = claim.at("/spec/storageClassName").asText(
          claim.at("/metadata/annotations").path("volume.beta.kubernetes.io/storage-class").asText(""));
      if (!storageClass.isEmpty() && cluster.admin().storage().v1().storageClasses().withName(storageClass).get() == null) {
        cluster.admin().resource(new StorageClassBuilder().withNewMetadata().withName(storageClass).endMetadata()
            .withProvisioner("kubernetes.io/no-provisioner").build()).create();
        CLASSES.add(storageClass);
      }
      for (int r = 0; r < replicas; r++) {
        String name = namespace + "-" + claim.at("/metadata/name").asText() + "-" + r;
        List<String> modes = new ArrayList<>();
        claim.at("/spec/accessModes").forEach(m -> modes.add(m.asText()));
        cluster.admin().resource(new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
            .withNewSpec().withAccessModes(modes).withStorageClassName(storageClass)
            .addToCapacity("storage", new Quantity(claim.at("/spec/resources/requests/storage").asText("1Gi")))
            .withNewHostPath().withPath("/tmp/" + name).endHostPath().endSpec().build()).create();
        VOLUMES.add(name);
      }
    }
  }
}
