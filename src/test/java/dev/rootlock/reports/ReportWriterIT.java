package dev.rootlock.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.WorkloadState;
import dev.rootlock.testing.MockApiServer;
import dev.rootlock.testing.SettableClock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reports against the mock API server: what is written, when, and when nothing is. */
class ReportWriterIT {
  static final PolicyReports.Policy WEB = new PolicyReports.Policy("shop", "web", "uid-web");
  final MockApiServer api = new MockApiServer();
  final KubernetesClient client = api.client();
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-29T12:00:00Z"));

  @AfterEach
  void tearDown() {
    api.close();
  }

  void install(ReportFormat f) {
    client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(f.crdName()).endMetadata()
        .withNewSpec().withGroup(f.group()).withScope("Namespaced")
        .withNewNames().withKind(f.kind()).withPlural(f.plural()).endNames()
        .addNewVersion().withName(f.version()).withServed(true).withStorage(true).endVersion()
        .endSpec().build()).create();
  }

  static ReportEntry entry(String name, WorkloadState state, String message) {
    return new ReportEntry("apps/v1", "Deployment", "shop", name, "uid-" + name, state, message);
  }

  static List<ReportEntry> fleet(int n) {
    List<ReportEntry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(entry(String.format("app-%04d", i), WorkloadState.Compliant, "read-only root filesystem with "
          + "writable paths in place"));
    }
    return out;
  }

  List<GenericKubernetesResource> reports(ReportFormat f) {
    return client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext
        .Builder().withGroup(f.group()).withVersion(f.version()).withKind(f.kind()).withPlural(f.plural())
        .withNamespaced(true).build()).inNamespace("shop").list().getItems();
  }

  @Test
  void writesOnlyWhenSomethingChangedAlsoAfterARestart() {
    install(ReportFormat.OPENREPORTS);
    ReportWriter writer = new ReportWriter(client, ReportFormat.Option.auto, clock);
    List<ReportEntry> entries = List.of(entry("web", WorkloadState.Compliant, "ok"),
        entry("legacy", WorkloadState.Excluded, "annotated rootlock.dev/exclude=true"));

    assertThat(writer.publish(WEB, entries)).isEqualTo(1);
    assertThat(writer.publish(WEB, entries)).as("same content: nothing written").isZero();
    clock.advance(Duration.ofSeconds(90));
    assertThat(writer.publish(WEB, entries)).as("a minute later, still nothing").isZero();
    assertThat(new ReportWriter(client, ReportFormat.Option.auto, clock).publish(WEB, entries))
        .as("a restarted operator reads the report back and writes nothing").isZero();

    GenericKubernetesResource r = reports(ReportFormat.OPENREPORTS).get(0);
    assertThat(r.getMetadata().getName()).isEqualTo("rootlock-web");
    assertThat(r.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ReadOnlyPolicy");
      assertThat(o.getUid()).isEqualTo("uid-web");
      assertThat(o.getController()).isTrue();
    });
    assertThat(r.getAdditionalProperties()).containsEntry("source", "rootlock");
    assertThat(r.getAdditionalProperties().get("summary"))
        .isEqualTo(Map.of("pass", 1, "fail", 0, "warn", 0, "error", 0, "skip", 1));

    // one outcome changes: one update, and only that result gets a new timestamp
    clock.advance(Duration.ofSeconds(60));
    assertThat(writer.publish(WEB, List.of(entry("web", WorkloadState.RolledBack, "rollout failed: ..."),
        entries.get(1)))).isEqualTo(1);
    var results = dev.rootlock.engine.JsonPatches.tree(reports(ReportFormat.OPENREPORTS).get(0)).get("results");
    assertThat(results.get(0).path("resources").path(0).path("name").asText()).isEqualTo("legacy");
    assertThat(results.get(0).path("timestamp").path("seconds").asLong())
        .isEqualTo(Instant.parse("2026-11-29T12:00:00Z").getEpochSecond());
    assertThat(results.get(1).path("result").asText()).isEqualTo("fail");
    assertThat(results.get(1).path("timestamp").path("seconds").asLong()).isEqualTo(clock.instant().getEpochSecond());
  }

  @Test
  void largePoliciesAreSplitAndShrinkBack() {
    install(ReportFormat.OPENREPORTS);
    ReportWriter writer = new ReportWriter(client, ReportFormat.Option.openreports, clock);
    assertThat(writer.publish(WEB, fleet(2500))).isEqualTo(3);
    List<GenericKubernetesResource> parts = reports(ReportFormat.OPENREPORTS);
    assertThat(parts).extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("rootlock-web", "rootlock-web-2", "rootlock-web-3");
    assertThat(parts).allSatisfy(p -> assertThat((List<?>) p.getAdditionalProperties().get("results"))
        .hasSizeLessThanOrEqualTo(PolicyReports.MAX_RESULTS));
    assertThat(new ReportWriter(client, ReportFormat.Option.openreports, clock).publish(WEB, fleet(900)))
        .as("part 1 updated, parts 2 and 3 deleted, found again after a restart").isEqualTo(3);
    assertThat(reports(ReportFormat.OPENREPORTS)).extracting(p -> p.getMetadata().getName())
        .containsExactly("rootlock-web");
  }

  @Test
  void autoPrefersOpenReportsFallsBackToPolicyReportAndIsOffWithoutEither() {
    ReportWriter writer = new ReportWriter(client, ReportFormat.Option.auto, clock);
    assertThat(writer.format()).isNull();
    assertThat(writer.publish(WEB, fleet(3))).isZero();
    assertThat(reports(ReportFormat.OPENREPORTS)).isEmpty();

    install(ReportFormat.WGPOLICY);
    assertThat(writer.format()).as("rechecked at most once a minute").isNull();
    clock.advance(ReportWriter.FORMAT_RECHECK);
    assertThat(writer.format()).isEqualTo(ReportFormat.WGPOLICY);
    assertThat(writer.publish(WEB, fleet(3))).isEqualTo(1);
    GenericKubernetesResource pr = reports(ReportFormat.WGPOLICY).get(0);
    assertThat(pr.getKind()).isEqualTo("PolicyReport");
    assertThat(pr.getAdditionalProperties()).doesNotContainKey("source");

    install(ReportFormat.OPENREPORTS);
    clock.advance(Duration.ofMinutes(1));
    assertThat(writer.format()).isEqualTo(ReportFormat.OPENREPORTS);
    assertThat(new ReportWriter(client, ReportFormat.Option.off, clock).format()).isNull();
  }

  @Test
  void eachStateMapsToItsResult() {
    assertThat(List.of(WorkloadState.values())).extracting(s -> entry("x", s, "").result()).containsExactly(
        "pass", "fail", "skip", "warn", "fail", "warn", "warn", "fail");
  }
}
