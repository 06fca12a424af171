package dev.rootlock.reports;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Policy reports written by the running operator, against the mock API server. */
class ReportsIT {
  final Cluster cluster = new Cluster();

  @AfterEach
  void tearDown() {
    cluster.close();
    System.clearProperty("rootlock.reports.maxResults");
  }

  void install(ReportFormat f) {
    cluster.client().apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(f.crdName()).endMetadata()
        .withNewSpec().withGroup(f.group()).withScope("Namespaced")
        .withNewNames().withKind(f.kind()).withPlural(f.plural()).endNames()
        .addNewVersion().withName(f.version()).withServed(true).withStorage(true).endVersion()
        .endSpec().build()).create();
  }

  List<GenericKubernetesResource> reports(ReportFormat f) {
    return cluster.client().genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup(f.group())
        .withVersion(f.version()).withKind(f.kind()).withPlural(f.plural()).withNamespaced(true).build())
        .inNamespace(NS).list().getItems();
  }

  long reportWrites() {
    return cluster.api().exchanges().stream().filter(e -> (e.path().contains("/reports") || e.path()
        .contains("/policyreports")) && !e.method().equals("GET")).count();
  }

  void start(ReportFormat.Option mode) {
    cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)).withReports(mode));
  }

  static void eventually(org.awaitility.core.ThrowingRunnable a) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(a);
  }

  @Test
  void aReportPerPolicyFollowsTheStatusAndIsWrittenOnlyWhenItChanges() {
    install(ReportFormat.OPENREPORTS);
    cluster.create(web("storefront"));
    cluster.create(web("checkout"));
    start(ReportFormat.Option.auto);
    ReadOnlyPolicy p = cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));

    eventually(() -> assertThat(reports(ReportFormat.OPENREPORTS)).singleElement().satisfies(r ->
        assertThat(JsonPatches.tree(r).at("/summary/pass").asInt()).isEqualTo(2)));
    JsonNode report = JsonPatches.tree(reports(ReportFormat.OPENREPORTS).get(0));
    assertThat(report.at("/metadata/name").asText()).isEqualTo("rootlock-web");
    assertThat(report.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo(p.getMetadata().getUid());
    assertThat(report.at("/source").asText()).isEqualTo("rootlock");
    JsonNode result = report.at("/results/0");
    assertThat(result.at("/policy").asText()).isEqualTo("shop/web");
    assertThat(result.at("/rule").asText()).isEqualTo("read-only-root");
    assertThat(result.at("/resources/0/kind").asText()).isEqualTo("Deployment");
    assertThat(result.at("/resources/0/name").asText()).isEqualTo("checkout");
    assertThat(result.at("/resources/0/uid").asText()).isEqualTo(cluster.deployment(NS, "checkout").getMetadata()
        .getUid());
    assertThat(result.at("/message").asText())
        .isEqualTo(cluster.workload(NS, "web", "checkout").getMessage());

    // resyncs every second change nothing: no report write
    dev.rootlock.testing.Cluster.settle(Duration.ofSeconds(2));
    long writes = reportWrites();
    dev.rootlock.testing.Cluster.settle(Duration.ofSeconds(3));
    assertThat(reportWrites()).isEqualTo(writes);

    // an outcome changes: the report follows
    cluster.edit(NS, "checkout", d -> {
      d.getMetadata().getAnnotations().put(Annotations.EXCLUDE, "true");
      return d;
    });
    eventually(() -> assertThat(JsonPatches.tree(reports(ReportFormat.OPENREPORTS).get(0)).at("/summary/skip")
        .asInt()).isEqualTo(1));
    assertThat(JsonPatches.tree(reports(ReportFormat.OPENREPORTS).get(0)).at("/summary/pass").asInt()).isEqualTo(1);
  }

  @Test
  void withoutAReportCrdNothingIsWrittenAndForcedWgpolicyWritesPolicyReports() {
    cluster.create(web("storefront"));
    start(ReportFormat.Option.auto);
    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(cluster.status(NS, "web").getCompliant()).isEqualTo(1));
    dev.rootlock.testing.Cluster.settle(Duration.ofSeconds(2));
    assertThat(reportWrites()).isZero();
    assertThat(cluster.api().exchanges().stream().filter(e -> !e.path().contains("/customresourcedefinitions/")
        && (e.path().contains("/reports") || e.path().contains("/policyreports")))).as("not even a read").isEmpty();
    assertThat(cluster.api().exchanges().stream().filter(e -> e.path().contains("/customresourcedefinitions/"))
        .count()).as("the report CRDs asked for, by name, at most once a minute").isBetween(1L, 2L);
    cluster.stopOperator();

    install(ReportFormat.WGPOLICY);
    start(ReportFormat.Option.wgpolicy);
    eventually(() -> assertThat(reports(ReportFormat.WGPOLICY)).singleElement().satisfies(r -> {
      assertThat(r.getKind()).isEqualTo("PolicyReport");
      assertThat(JsonPatches.tree(r).at("/summary/pass").asInt()).isEqualTo(1);
      assertThat(JsonPatches.tree(r).has("source")).isFalse();
    }));
  }

  @Test
  void partsThatAreNoLongerNeededAreDeleted() {
    System.setProperty("rootlock.reports.maxResults", "1");
    for (ReportFormat f : ReportFormat.values()) {
      install(f);
    }
    cluster.create(web("storefront"));
    cluster.create(web("checkout"));
    start(ReportFormat.Option.openreports);
    cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
    eventually(() -> assertThat(reports(ReportFormat.OPENREPORTS)).extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("rootlock-web", "rootlock-web-2"));
    cluster.client().apps().deployments().inNamespace(NS).withName("storefront").delete();
    eventually(() -> assertThat(reports(ReportFormat.OPENREPORTS)).extracting(r -> r.getMetadata().getName())
        .containsExactly("rootlock-web"));
    cluster.stopOperator();

    // the same in the Policy WG's API, after a restart: read back, updated, the extra part deleted
    cluster.create(web("storefront"));
    start(ReportFormat.Option.wgpolicy);
    eventually(() -> assertThat(reports(ReportFormat.WGPOLICY)).hasSize(2));
    cluster.edit(NS, "storefront", d -> {
      d.getMetadata().getLabels().remove("tier");
      return d;
    });
    eventually(() -> assertThat(reports(ReportFormat.WGPOLICY)).singleElement().satisfies(r ->
        assertThat(JsonPatches.tree(r).at("/results/0/resources/0/name").asText()).isEqualTo("checkout")));
  }
}
