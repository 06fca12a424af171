package dev.rootlock.decision;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.admission.AdmissionHardening;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.PlanPolicy;
import dev.rootlock.plan.Planner;
import dev.rootlock.plan.WorkloadPlan;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Corpus;
import dev.rootlock.testing.Manifests;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconcile, the admission webhook and {@code plan} decide alike: every workload of the corpus
 * (../shared/corpus, the kinds the operator hardens), some labelled or annotated
 * {@code rootlock.dev/exclude: "true"}, under several sets of policies (one selecting everything;
 * two overlapping enforcing policies and an Audit one; {@code onMemoryRisk: Skip} for two kinds),
 * gets the same decision on each path: what {@code plan} reports is what the reconcile reports once
 * it has settled, and the webhook changes the pod template of exactly the workloads {@code plan}
 * changes, for the same policy.
 *
 * <p>Decisions are compared in the words both reports share: {@code Change} (plan: NonCompliant
 * with a change; reconcile: written, whatever the rollout's state), {@code Compliant},
 * {@code NonCompliant} (Audit, or skipped for a memory risk), {@code Excluded}, {@code Conflict};
 * a policy that does not select a workload has no entry.
 */
class ThreePathsAgreeIT {
  private static final Duration SETTLE = Duration.ofSeconds(90);

  Cluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Stream<Arguments> policySets() {
    return Stream.of(
        Arguments.of("one policy selecting everything", List.of(policy("all", "{rollout: {maxInProgress: 200}}"))),
        // Audit reads what an enforcing policy wrote a moment ago: it gets kinds of its own
        Arguments.of("two overlapping enforcing policies and an Audit one", List.of(
            policy("older", "{selector: {matchLabels: {tier: web}}, kinds: [Deployment, StatefulSet], "
                + "rollout: {maxInProgress: 200}}"),
            policy("wide", "{tmpPaths: [/tmp, /var/run], kinds: [Deployment, StatefulSet], "
                + "rollout: {maxInProgress: 200}}"),
            policy("audit", "{mode: Audit, kinds: [DaemonSet, CronJob]}"))),
        Arguments.of("onMemoryRisk: Skip, two kinds", List.of(policy("skip",
            "{onMemoryRisk: Skip, kinds: [Deployment, DaemonSet], rollout: {maxInProgress: 200}}"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policySets")
  void everyPathDecidesAlike(String name, List<ReadOnlyPolicy> set) throws Exception {
    List<HasMetadata> corpus = corpusWorkloads();
    cluster = new Cluster();
    corpus.forEach(cluster::create);
    List<ReadOnlyPolicy> policies = set.stream().map(cluster::create).toList(); // as the server stamps them

    Map<String, String> planned = plan(corpus, policies);
    assertThat(planned.values()).as("the set exercises several rungs").contains("Change").hasSizeGreaterThan(10);
    if (name.startsWith("two")) {
      assertThat(planned.values()).contains("Excluded", "Conflict", "NonCompliant");
    }

    Map<String, String> webhook = webhook(corpus, policies);
    Map<String, String> changedByPlan = planned.entrySet().stream().filter(e -> e.getValue().equals("Change"))
        .collect(Collectors.toMap(e -> e.getKey().substring(0, e.getKey().indexOf(' ')),
            e -> e.getKey().substring(e.getKey().indexOf(' ') + 1), (a, b) -> a + "," + b, TreeMap::new));
    assertThat(webhook).as("the webhook changes what plan changes, for the same policy").isEqualTo(changedByPlan);

    cluster.startOperator();
    await().atMost(SETTLE).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(reconciled(corpus, policies)).as("the reconcile, settled").isEqualTo(planned));
  }

  /** The hardened kinds of the corpus in one namespace, named w0, w1, ...; some tier=web, some opted out. */
  private static List<HasMetadata> corpusWorkloads() {
    List<HasMetadata> out = new ArrayList<>();
    for (Corpus.Document d : Corpus.documents()) {
      WorkloadKind<?> kind = WorkloadKinds.of(d.node().path("apiVersion").asText(), d.kind()).orElse(null);
      if (kind == null || !kind.isHardened()) {
        continue;
      }
      int i = out.size();
      ObjectNode node = d.node().deepCopy();
      node.remove("status");
      node.put("apiVersion", kind.apiVersion()); // as a cluster serves apps/v1beta2 and the like
      ObjectNode meta = node.withObjectProperty("metadata");
      meta.put("name", "w" + i);
      meta.put("namespace", NS);
      meta.remove(List.of("resourceVersion", "uid", "creationTimestamp", "generation"));
      ObjectNode labels = meta.withObjectProperty("labels");
      if (i % 2 == 0) {
        labels.put("tier", "web");
      }
      if (i % 5 == 1) {
        labels.put(Annotations.EXCLUDE, "true");
      }
      if (i % 7 == 3) {
        meta.withObjectProperty("annotations").put(Annotations.EXCLUDE, "true");
      }
      out.add(Manifests.SERIALIZATION.convertValue(node, kind.type()));
    }
    assertThat(out).as("corpus workloads").hasSizeGreaterThan(30);
    return out;
  }

  /** "w3 policy" → what plan reports for w3 under that policy. */
  private static Map<String, String> plan(List<HasMetadata> corpus, List<ReadOnlyPolicy> policies)
      throws Exception {
    List<PlanPolicy> plan = policies.stream().map(p -> new PlanPolicy(p, PolicyRules.from(p.getSpec()).rules()))
        .toList();
    StringBuilder yaml = new StringBuilder();
    corpus.forEach(o -> yaml.append("---\n").append(JsonPatches.tree(o)).append('\n'));
    Map<String, String> out = new TreeMap<>();
    for (WorkloadPlan p : new Planner(plan).plan(ManifestReader.split("corpus.yaml", yaml.toString())).workloads()) {
      if (!p.state().equals(WorkloadPlan.NOT_SELECTED)) {
        out.put(p.name() + " " + p.policy(), p.changes() ? "Change" : p.state());
      }
    }
    return out;
  }

  /** "w3" → the policy whose hardening the webhook writes into w3's pod template; absent when none. */
  private static Map<String, String> webhook(List<HasMetadata> corpus, List<ReadOnlyPolicy> policies) {
    AdmissionHardening admission = new AdmissionHardening(ns -> policies, Clock.systemUTC(), SeedPlatform.DEFAULT);
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata o : corpus) {
      WorkloadKind<?> kind = WorkloadKinds.named(o.getKind());
      JsonNode raw = JsonPatches.tree(o);
      AdmissionHardening.Mutation m = admission.decide(new Workload(kind, o), raw, null);
      JsonNode after = JsonPatch.apply(m.patch(), raw);
      if (!after.at(kind.templatePointer()).equals(raw.at(kind.templatePointer()))) {
        out.put(o.getMetadata().getName(), m.why().replaceFirst("^hardened for policy (\\S+): .*", "$1"));
      }
    }
    return out;
  }

  /** "w3 policy" → what the policy's status says of w3, with a write counted as Change. */
  private Map<String, String> reconciled(List<HasMetadata> corpus, List<ReadOnlyPolicy> policies) {
    Map<String, HasMetadata> byName = corpus.stream().collect(Collectors.toMap(o -> o.getMetadata().getName(),
        o -> o));
    Map<String, String> out = new TreeMap<>();
    for (ReadOnlyPolicy p : policies) {
      String policy = p.getMetadata().getName();
      ReadOnlyPolicy now = cluster.policy(NS, policy);
      if (now.getStatus() == null || now.getStatus().getWorkloads() == null) {
        continue;
      }
      for (WorkloadStatus w : now.getStatus().getWorkloads()) {
        HasMetadata original = byName.get(w.getName());
        out.put(w.getName() + " " + policy, words(w.getState(), original, policy));
      }
    }
    return out;
  }

  private String words(WorkloadState state, HasMetadata original, String policy) {
    if (state == WorkloadState.RollingOut || state == WorkloadState.Pending) {
      return "Change";
    }
    if (state == WorkloadState.Compliant) {
      WorkloadKind<?> kind = WorkloadKinds.named(original.getKind());
      HasMetadata current = cluster.client().resources(kind.type()).inNamespace(NS)
          .withName(original.getMetadata().getName()).get();
      boolean written = !JsonPatches.tree(kind.template(current)).equals(JsonPatches.tree(kind.template(original)));
      return written && policy.equals(current.getMetadata().getAnnotations().get(Annotations.OWNER))
          ? "Change" : "Compliant";
    }
    return state.name();
  }
}
