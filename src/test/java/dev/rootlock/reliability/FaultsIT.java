package dev.rootlock.reliability;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.deployment;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.EngineInvariants;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.MockApiServer.Exchange;
import dev.rootlock.testing.MockApiServer.Fault;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator against an API server that fails: 500s, 429s with Retry-After, fake and real 409s,
 * writes whose answer is lost, slow answers, and a restart in the middle of convergence. It must
 * converge, write each Deployment exactly once, keep every revert record, and revert exactly.
 */
class FaultsIT {
  static final int N = 20;
  static final String POLICY = "{selector: {matchLabels: {tier: web}}, cachePaths: [/var/cache]}";

  @Test
  void convergesAndRevertsExactlyThroughFaultsAndARestart() {
    Random random = new Random(42);
    Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    try (Cluster cluster = new Cluster()) {
      Map<String, Deployment> originals = new LinkedHashMap<>();
      for (int i = 0; i < N; i++) {
        String name = "web-" + i;
        String pod = i % 3 == 0
            ? "{containers: [{name: app, image: nginx}, {name: sidecar, image: envoy, securityContext: {readOnlyRootFilesystem: false}}]}"
            : "{containers: [{name: app, image: app:" + i + "}]}";
        originals.put(name, cluster.create(deployment(name, "{tier: web}", pod)));
      }
      cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(5)));
      // The first patch of web-0 meets a real conflict: someone else edits it first.
      boolean[] edited = {false};
      cluster.api().injectFaults(r -> {
        Fault f;
        synchronized (random) {
          boolean write = !r.getMethod().equals("GET");
          if (!edited[0] && r.getMethod().equals("PATCH") && r.getPath().contains("/deployments/web-0?")) {
            edited[0] = true;
            f = Fault.EDITED_BY_OTHERS_FIRST;
          } else {
            int x = random.nextInt(100);
            f = x < 10 ? Fault.SERVER_ERROR
                : x < 15 ? Fault.TOO_MANY_REQUESTS
                : x < 22 && write ? Fault.CONFLICT
                : x < 28 && write ? Fault.APPLIED_THEN_ERROR
                : x < 36 ? Fault.SLOW
                : Fault.NONE;
          }
          injected.merge(f, 1, Integer::sum);
        }
        return f;
      });

      cluster.create(policy("web", POLICY));
      await().atMost(Duration.ofSeconds(60)).until(() -> compliant(cluster) >= N / 4);
      cluster.api().restart();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> compliant(cluster) == N);

      PolicyRules rules = Manifests.rules(POLICY);
      for (Deployment original : originals.values()) {
        Deployment now = cluster.deployment(NS, original.getMetadata().getName());
        EngineInvariants.assertCompliant(now.getSpec().getTemplate(), rules);
        EngineInvariants.assertVolumeNamesValid(now.getSpec().getTemplate());
        // exactly one injection per container and path: what hardening the original once gives
        var expected = new Hardener().harden(original.getSpec().getTemplate(), rules, RevertRecord.EMPTY);
        assertThat(tree(now.getSpec().getTemplate())).as(original.getMetadata().getName())
            .isEqualTo(tree(expected.template()));
        assertThat(now.getMetadata().getAnnotations().get(Annotations.REVERT)).isEqualTo(expected.record().toJson());
      }
      assertThat(cluster.deployment(NS, "web-0").getMetadata().getLabels()).containsEntry("edited-by", "someone-else");
      assertThat(appliedPatchesPerDeployment(cluster.api().exchanges())).as("each Deployment written once")
          .hasSize(N).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1L));
      int hardeningExchanges = cluster.api().exchanges().size();

      cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
          .until(() -> cluster.policy(NS, "web") == null);
      for (Deployment original : originals.values()) {
        Deployment now = cluster.deployment(NS, original.getMetadata().getName());
        assertThat(tree(now.getSpec().getTemplate())).as("reverted " + original.getMetadata().getName())
            .isEqualTo(tree(original.getSpec().getTemplate()));
        assertThat(now.getMetadata().getAnnotations()).doesNotContainKeys(Annotations.OWNER, Annotations.REVERT);
      }
      var reverts = appliedPatchesPerDeployment(cluster.api().exchanges().subList(hardeningExchanges,
          cluster.api().exchanges().size()));
      assertThat(reverts).hasSize(N).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1L));
      System.out.println("faults: injected " + injected + " over " + cluster.api().exchanges().size()
          + " operator requests, plus one API server restart");
    }
  }

  private static int compliant(Cluster cluster) {
    ReadOnlyPolicy p = cluster.policy(NS, "web");
    return p == null || p.getStatus() == null || p.getStatus().getCompliant() == null ? 0 : p.getStatus().getCompliant();
  }

  /** PATCHes to each Deployment that the server applied (including those whose answer was lost). */
  static Map<String, Long> appliedPatchesPerDeployment(List<Exchange> exchanges) {
    return exchanges.stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains("/deployments/"))
        .filter(e -> (e.status() >= 200 && e.status() < 300) || (e.fault() == Fault.APPLIED_THEN_ERROR && e.status() == 500))
        .collect(Collectors.groupingBy(e -> e.path().replaceAll("\\?.*", "").replaceAll(".*/", ""), Collectors.counting()));
  }
}
