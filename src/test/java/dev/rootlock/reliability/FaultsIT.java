package dev.rootlock.reliability;

import static dev.rootlock.testing.Fixtures.NS;
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
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator against an API server that fails: 500s, 429s with Retry-After, fake and real 409s,
 * writes whose answer is lost, slow answers, and a restart in the middle of convergence. It must
 * converge, write each workload exactly once (a DaemonSet twice: its completion is recorded), keep
 * every revert record, and revert exactly; for every kind.
 */
class FaultsIT {
  static final int N = 20;
  static final String POLICY = "{selector: {matchLabels: {tier: web}}, cachePaths: [/var/cache]}";

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void convergesAndRevertsExactlyThroughFaultsAndARestart(TestKind kind) {
    String path = "/" + kind.model().plural() + "/";
    Random random = new Random(42);
    Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    try (Cluster cluster = new Cluster()) {
      Map<String, HasMetadata> originals = new LinkedHashMap<>();
      for (int i = 0; i < N; i++) {
        String name = "web-" + i;
        String pod = i % 3 == 0
            ? "{containers: [{name: app, image: nginx}, {name: sidecar, image: envoy, securityContext: {readOnlyRootFilesystem: false}}]}"
            : "{containers: [{name: app, image: app:" + i + "}]}";
        originals.put(name, cluster.create(kind.build(name, "{tier: web}", pod)));
      }
      cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(5)));
      // The first patch of web-0 meets a real conflict: someone else edits it first.
      boolean[] edited = {false};
      cluster.api().injectFaults(r -> {
        Fault f;
        synchronized (random) {
          boolean write = !r.getMethod().equals("GET");
          if (!edited[0] && r.getMethod().equals("PATCH") && r.getPath().contains(path + "web-0?")) {
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
      for (HasMetadata original : originals.values()) {
        HasMetadata now = cluster.get(kind, NS, original.getMetadata().getName());
        EngineInvariants.assertCompliant(kind.model().template(now), rules);
        EngineInvariants.assertVolumeNamesValid(kind.model().template(now));
        // exactly one injection per container and path: what hardening the original once gives
        var expected = new Hardener().harden(kind.model().template(original), rules, RevertRecord.EMPTY);
        assertThat(tree(kind.model().template(now))).as(original.getMetadata().getName())
            .isEqualTo(tree(expected.template()));
        assertThat(now.getMetadata().getAnnotations().get(Annotations.REVERT)).isEqualTo(expected.record().toJson());
      }
      assertThat(cluster.get(kind, NS, "web-0").getMetadata().getLabels()).containsEntry("edited-by", "someone-else");
      assertThat(appliedPatchesPerWorkload(cluster.api().exchanges(), path)).as("each workload written once")
          .hasSize(N).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1L));
      int hardeningExchanges = cluster.api().exchanges().size();

      cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName("web").delete();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
          .until(() -> cluster.policy(NS, "web") == null);
      for (HasMetadata original : originals.values()) {
        HasMetadata now = cluster.get(kind, NS, original.getMetadata().getName());
        assertThat(tree(kind.model().template(now))).as("reverted " + original.getMetadata().getName())
            .isEqualTo(tree(kind.model().template(original)));
        assertThat(now.getMetadata().getAnnotations()).doesNotContainKeys(Annotations.OWNER, Annotations.REVERT);
      }
      var reverts = appliedPatchesPerWorkload(cluster.api().exchanges().subList(hardeningExchanges,
          cluster.api().exchanges().size()), path);
      assertThat(reverts).hasSize(N).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1L));
      System.out.println("faults (" + kind + "): injected " + injected + " over " + cluster.api().exchanges().size()
          + " operator requests, plus one API server restart");
    }
  }

  private static int compliant(Cluster cluster) {
    ReadOnlyPolicy p = cluster.policy(NS, "web");
    return p == null || p.getStatus() == null || p.getStatus().getCompliant() == null ? 0 : p.getStatus().getCompliant();
  }

  /** PATCHes to each workload under {@code path} that the server applied (including those whose answer was lost). */
  static Map<String, Long> appliedPatchesPerWorkload(List<Exchange> exchanges, String path) {
    return exchanges.stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains(path))
        .filter(e -> (e.status() >= 200 && e.status() < 300) || (e.fault() == Fault.APPLIED_THEN_ERROR && e.status() == 500))
        .collect(Collectors.groupingBy(e -> e.path().replaceAll("\\?.*", "").replaceAll(".*/", ""), Collectors.counting()));
  }
}
