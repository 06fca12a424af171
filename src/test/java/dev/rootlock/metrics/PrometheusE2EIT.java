package dev.rootlock.metrics;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.ClusterControllers;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.MockApiServer;
import dev.rootlock.testing.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard and the alerts in deploy/monitoring, proven against a real Prometheus scraping the
 * real operator: every PromQL expression they use runs and returns the series it should.
 */
class PrometheusE2EIT {
  static final Path RULE = Path.of("deploy/monitoring/prometheusrule.yaml");
  static final Path DASHBOARD = Path.of("deploy/monitoring/grafana-dashboard.json");

  /**
   * What each alert's expression returns (namespace/policy, or the job for operator-wide alerts)
   * with: first Ready; second in Conflict; third unable to patch its Deployment (422); broken unable
   * to write its status (every reconcile fails); fourth's app crashes when hardened, so it is rolled
   * back. RootlockOperatorDown is checked after a stop.
   */
  static final Map<String, Set<String>> EXPECTED_ALERTS = Map.of(
      "RootlockPolicyNotReady", Set.of("shop/second", "shop/third", "shop/fourth"),
      "RootlockWorkloadRolledBack", Set.of("shop/fourth"),
      "RootlockPatchErrors", Set.of("shop/third"),
      "RootlockOperatorDown", Set.of(),
      "RootlockReconcileErrors", Set.of("rootlock"));

  @Test
  void everyDashboardAndAlertExpressionReturnsTheExpectedSeries(@TempDir Path dir) throws Exception {
    Path rules = dir.resolve("rules.yml");
    JsonNode rule = Manifests.parse(Files.readString(RULE), JsonNode.class);
    Files.writeString(rules, new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .writeValueAsString(rule.get("spec")));
    assertThat(PrometheusServer.checkRules(rules)).contains("SUCCESS");

    try (Cluster cluster = new Cluster()) {
      RootlockOperator rootlock = cluster.startOperator(Settings.defaults().withHttpPort(0)
          .withResync(Duration.ofSeconds(1)));
      cluster.create(web("web"));
      cluster.create(web("api"));
      cluster.create(dev.rootlock.testing.Fixtures.deployment("refused", "{tier: refused}",
          "{containers: [{name: app, image: x}]}"));
      cluster.api().injectFaults(r -> {
        if (r.getMethod().equals("PATCH") && r.getPath().contains("/deployments/refused?")) {
          return MockApiServer.Fault.UNPROCESSABLE;
        }
        if (r.getMethod().equals("PATCH") && r.getPath().contains("/readonlypolicies/broken/status")) {
          return MockApiServer.Fault.UNPROCESSABLE;
        }
        return MockApiServer.Fault.NONE;
      });
      cluster.create(policy("third", "{selector: {matchLabels: {tier: refused}}}"));
      cluster.controllers().app("crashy", ClusterControllers.App.writing("app",
          Map.of("/var/cache/app", "open /var/cache/app/db: read-only file system")));
      cluster.create(dev.rootlock.testing.Fixtures.deployment("crashy", "{tier: crashy}",
          "{containers: [{name: app, image: x}]}"));
      cluster.create(policy("fourth", "{selector: {matchLabels: {tier: crashy}}}"));
      cluster.create(policy("broken", "{selector: {matchLabels: {tier: nothing}}}"));
      cluster.create(policy("first", "{selector: {matchLabels: {tier: web}}}"));
      await().atMost(Duration.ofSeconds(15)).until(() -> status(cluster, "first") != null
          && Integer.valueOf(2).equals(status(cluster, "first").getCompliant()));
      cluster.create(policy("second", "{selector: {matchLabels: {tier: web}}, cachePaths: [/data]}"));
      await().atMost(Duration.ofSeconds(15)).until(() -> status(cluster, "second") != null
          && status(cluster, "second").getMatched() == 2);

      try (PrometheusServer prometheus = PrometheusServer.start(dir, "127.0.0.1:" + rootlock.httpPort(), rules)) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(prometheus.isAlive()).as(prometheus.log()).isTrue();
          assertThat(prometheus.query("up{job=\"rootlock\"} == 1")).hasSize(1);
          assertThat(prometheus.query("rootlock_policy_ready")).hasSize(5);
          assertThat(prometheus.query("rootlock_policy_workloads{state=\"RolledBack\"} > 0")).hasSize(1);
          assertThat(prometheus.query("increase(rootlock_workload_patches_total{result=\"error\"}[1m]) > 0")).isNotEmpty();
          assertThat(prometheus.query("increase(operator_sdk_reconciliations_failed_total[1m]) > 0")).isNotEmpty();
          // rate() over the dashboard's interval needs a few scrapes
          assertThat(prometheus.query("count_over_time(rootlock_policy_ready[1m])").get(0).at("/value/1").asInt())
              .isGreaterThanOrEqualTo(4);
        });

        // The numbers Prometheus holds are the ones the status shows.
        var status = status(cluster, "first");
        assertThat(value(prometheus.query("rootlock_policy_workloads{namespace=\"shop\",policy=\"first\",state=\"Compliant\"}")))
            .isEqualTo(status.getCompliant());
        assertThat(value(prometheus.query("sum(rootlock_policy_workloads{namespace=\"shop\",policy=\"second\"})")))
            .isEqualTo(status(cluster, "second").getMatched());
        assertThat(value(prometheus.query("rootlock_policy_workloads{namespace=\"shop\",policy=\"second\",state=\"Conflict\"}")))
            .isEqualTo(2);
        // the fixtures set no memory limit: every hardened workload carries the memory warning
        assertThat(status.getWarnings()).isEqualTo(2);
        assertThat(value(prometheus.query("rootlock_policy_warnings{namespace=\"shop\",policy=\"first\"}")))
            .isEqualTo(status.getWarnings());

        // Every dashboard expression runs and returns data, and no NaN (an empty histogram would).
        Map<String, String> panels = dashboardExpressions();
        assertThat(panels).hasSizeGreaterThanOrEqualTo(6);
        List<String> empty = new ArrayList<>();
        panels.forEach((where, expr) -> {
          JsonNode result = prometheus.query(substitute(expr));
          if (result.isEmpty() || result.toString().contains("\"NaN\"")) {
            empty.add(where + ": " + expr + " -> " + result);
          }
        });
        assertThat(empty).as("dashboard expressions that returned nothing or NaN").isEmpty();
        // ...and the stat panels show the right numbers: first and broken ready; second, third, fourth not.
        assertThat(value(prometheus.query(substitute(panel(panels, "Policies ready#0"))))).isEqualTo(2);
        assertThat(value(prometheus.query(substitute(panel(panels, "Policies not ready#0"))))).isEqualTo(3);
        assertThat(prometheus.query(substitute(panel(panels, "Compliance by policy#0"))))
            .anySatisfy(s -> {
              assertThat(s.at("/metric/policy").asText()).isEqualTo("first");
              assertThat(s.at("/value/1").asText()).isEqualTo("1");
            });
        assertThat(Double.parseDouble(prometheus.query(substitute(panel(panels, "Patch errors#0"))).get(0).at("/value/1").asText()))
            .as("patch error rate").isPositive();

        // Every alert expression returns exactly the series it should.
        Map<String, String> alerts = alertExpressions(rule);
        assertThat(alerts.keySet()).containsAll(EXPECTED_ALERTS.keySet());
        for (var alert : alerts.entrySet()) {
          assertThat(EXPECTED_ALERTS).as("expectation for alert " + alert.getKey()).containsKey(alert.getKey());
          assertThat(firing(prometheus, alert.getValue())).as(alert.getKey() + ": " + alert.getValue())
              .isEqualTo(EXPECTED_ALERTS.get(alert.getKey()));
        }
        JsonNode loaded = prometheus.api("/api/v1/rules").at("/data/groups");
        loaded.forEach(g -> g.get("rules").forEach(r ->
            assertThat(r.get("health").asText()).as(r.get("name").asText()).isEqualTo("ok")));

        // The operator goes away: its alert's expression now returns the job.
        rootlock.stop();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(firing(prometheus, alerts.get("RootlockOperatorDown"))).containsExactly("rootlock"));
      }
    }
  }

  /** namespace/policy of each series an expression returns, or its job for operator-wide series. */
  private static Set<String> firing(PrometheusServer prometheus, String expr) {
    Set<String> out = new TreeSet<>();
    prometheus.query(expr).forEach(s -> out.add(s.at("/metric").has("policy")
        ? s.at("/metric/namespace").asText() + "/" + s.at("/metric/policy").asText()
        : s.at("/metric/job").asText()));
    return out;
  }

  private static String panel(Map<String, String> panels, String key) {
    assertThat(panels).containsKey(key);
    return panels.get(key);
  }

  private static dev.rootlock.api.ReadOnlyPolicyStatus status(Cluster cluster, String name) {
    ReadOnlyPolicy p = cluster.policy(NS, name);
    return p == null ? null : p.getStatus();
  }

  private static int value(JsonNode result) {
    assertThat(result).hasSize(1);
    return (int) Double.parseDouble(result.get(0).at("/value/1").asText());
  }

  /** Grafana variables as an "All" selection would expand them. */
  static String substitute(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("${namespace}", ".*").replace("$namespace", ".*")
        .replace("${policy}", ".*").replace("$policy", ".*");
  }

  static Map<String, String> dashboardExpressions() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    Map<String, String> out = new LinkedHashMap<>();
    collectPanels(dashboard.path("panels"), out);
    return out;
  }

  private static void collectPanels(JsonNode panels, Map<String, String> out) {
    for (JsonNode panel : panels) {
      int i = 0;
      for (JsonNode t : panel.path("targets")) {
        if (t.hasNonNull("expr")) {
          out.put(panel.path("title").asText() + "#" + i++, t.get("expr").asText());
        }
      }
      collectPanels(panel.path("panels"), out);
    }
  }

  static Map<String, String> alertExpressions(JsonNode rule) {
    Map<String, String> out = new LinkedHashMap<>();
    rule.at("/spec/groups").forEach(g -> g.get("rules").forEach(r -> {
      if (r.has("alert")) {
        out.put(r.get("alert").asText(), r.get("expr").asText());
      }
    }));
    return out;
  }
}
