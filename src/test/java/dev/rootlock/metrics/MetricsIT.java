package dev.rootlock.metrics;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Http;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Metric values across a policy's lifecycle, the HTTP endpoints, and the Events, end to end. */
class MetricsIT {
  Cluster cluster;
  RootlockOperator rootlock;
  String base;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
    // a short resync, so "no event for a no-op reconcile" is checked over real reconciles
    rootlock = cluster.startOperator(Settings.defaults().withHttpPort(0).withResync(Duration.ofMillis(500)));
    base = "http://127.0.0.1:" + rootlock.httpPort();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private String metrics() {
    String m = Http.get(base + "/metrics").body();
    try {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target/metrics-last.txt"), m);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return m;
  }

  private static String series(String name, String labels) {
    return name + "{" + labels + "}";
  }

  /** Samples of a scrape: "name{labels}" to value. */
  static java.util.Map<String, Double> samples(String scrape) {
    java.util.Map<String, Double> out = new java.util.HashMap<>();
    scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> {
      int space = l.lastIndexOf(' ');
      out.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
    });
    return out;
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void policyLifecycleIsReflectedAndSeriesDisappearOnDelete(TestKind kind) throws Exception {
    cluster.create(kind.web("web"));
    double hardenings = 1.0; // one write per hardening, whatever the kind (a pass is not written down)
    cluster.create(policy("first", "{selector: {matchLabels: {tier: web}}}"));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var m = samples(metrics());
      assertThat(m).containsEntry(series("rootlock_policy_workloads", "namespace=\"shop\",policy=\"first\",state=\"Compliant\""), 1.0);
      assertThat(m).containsEntry(series("rootlock_policy_workloads", "namespace=\"shop\",policy=\"first\",state=\"Conflict\""), 0.0);
      assertThat(m).containsEntry(series("rootlock_policy_ready", "namespace=\"shop\",policy=\"first\""), 1.0);
      assertThat(m).containsEntry(series("rootlock_policy_info", "mode=\"Enforce\",namespace=\"shop\",policy=\"first\""), 1.0);
      assertThat(m).containsEntry(series("rootlock_workload_patches_total",
          "action=\"harden\",namespace=\"shop\",policy=\"first\",result=\"success\""), hardenings);
    });

    cluster.create(policy("second", "{selector: {matchLabels: {tier: web}}, mode: Enforce}"));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var m = samples(metrics());
      assertThat(m).containsEntry(series("rootlock_policy_workloads", "namespace=\"shop\",policy=\"second\",state=\"Conflict\""), 1.0);
      assertThat(m).containsEntry(series("rootlock_policy_ready", "namespace=\"shop\",policy=\"second\""), 0.0);
    });
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/metrics-sample.txt"), metrics());

    cluster.client().resources(ReadOnlyPolicy.class).inNamespace(NS).withName("first").delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(metrics()).doesNotContain("policy=\"first\"");
      // the workload went to the next owner: second hardened it again from first's revert
      assertThat(samples(metrics())).containsEntry(series("rootlock_policy_workloads",
          "namespace=\"shop\",policy=\"second\",state=\"Compliant\""), 1.0);
    });
    String m = metrics();
    assertThat(m).contains("policy=\"second\"");
    assertThat(m).contains("rootlock_reconcile_duration_seconds_bucket{le=\"0.1\"}");
    // the operator's own API requests, timed on its side: status writes happen for every kind
    assertThat(m).contains("rootlock_api_request_duration_seconds_bucket{method=\"PATCH\","
        + "resource=\"readonlypolicies/status\",le=\"0.1\"}");
    assertThat(samples(m).get(series("rootlock_api_request_duration_seconds_count",
        "method=\"PATCH\",resource=\"" + kind.model().plural() + "\""))).as("its workload patches")
        .isGreaterThanOrEqualTo(1.0);
    assertThat(m).contains("jvm_memory_used_bytes").contains("process_cpu_usage");
    assertThat(m).contains("operator_sdk_");
  }

  @Test
  void openMetricsIsServedWhenAskedFor() {
    var text = Http.get(base + "/metrics");
    var om = Http.get(base + "/metrics", "application/openmetrics-text; version=1.0.0");
    assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
    assertThat(om.body().strip()).endsWith("# EOF");
  }

  @Test
  void probesAnswer() {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(Http.get(base + "/healthz").body()).startsWith("ok");
      assertThat(Http.get(base + "/readyz").body()).startsWith("ok");
    });
  }

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void eventsTellOfHardeningAndConditionChangesButNotOfNoOps(TestKind kind) {
    cluster.create(kind.web("web"));
    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      List<Event> events = cluster.client().resources(Event.class).inNamespace(NS).list().getItems();
      assertThat(events).anySatisfy(e -> {
        // one per round on the policy, naming the workload and what changed
        assertThat(e.getReason()).isEqualTo("Hardened");
        assertThat(e.getRegarding().getKind()).isEqualTo("ReadOnlyPolicy");
        assertThat(e.getNote()).startsWith("hardened 1 workload: " + kind.kind() + " web (read-only root: ");
        assertThat(e.getReportingController()).isEqualTo("rootlock.dev/operator");
      });
      assertThat(events).as("not one per workload").noneSatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("Hardened");
        assertThat(e.getRegarding().getKind()).isEqualTo(kind.kind());
      });
      assertThat(events).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("AllCompliant");
        assertThat(e.getRegarding().getKind()).isEqualTo("ReadOnlyPolicy");
      });
    });
    int before = cluster.client().resources(Event.class).inNamespace(NS).list().getItems().size();
    long reconciles = rootlock.registry().get(RootlockMetrics.RECONCILE).timer().count();
    Cluster.settle(Duration.ofSeconds(2));
    assertThat(rootlock.registry().get(RootlockMetrics.RECONCILE).timer().count())
        .as("resyncs happened meanwhile").isGreaterThan(reconciles + 2);
    assertThat(cluster.client().resources(Event.class).inNamespace(NS).list().getItems()).hasSize(before);
  }
}
