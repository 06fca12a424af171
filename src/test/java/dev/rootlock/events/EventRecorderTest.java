package dev.rootlock.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Events Rootlock writes: their fields, the rate limit, and a failed write that stops nothing. */
class EventRecorderTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:15:30.123456789Z"), ZoneOffset.UTC);

  final MockApiServer api = new MockApiServer();

  @AfterEach
  void tearDown() {
    api.close();
  }

  static Deployment web() {
    return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").withUid("uid-1")
        .withResourceVersion("7").endMetadata().build();
  }

  List<Event> events() {
    return api.client().resources(Event.class).inNamespace("shop").list().getItems();
  }

  @Test
  void anEventNamesWhatItIsAboutWhoReportsItAndWhy() {
    try (EventRecorder recorder = new EventRecorder(api.client(), "rootlock-7c9f", CLOCK)) {
      recorder.warning(web(), "Rollback", "RolledBack", "policy web: " + "x".repeat(2000));
      recorder.normal(web(), "Harden", "Hardened", "policy web: read-only root: app");
    }

    List<Event> events = events();
    assertThat(events).hasSize(2);
    Event warning = events.stream().filter(e -> e.getType().equals("Warning")).findFirst().orElseThrow();
    assertThat(warning.getReason()).isEqualTo("RolledBack");
    assertThat(warning.getAction()).isEqualTo("Rollback");
    assertThat(warning.getReportingController()).isEqualTo(EventRecorder.CONTROLLER);
    assertThat(warning.getReportingInstance()).isEqualTo("rootlock-7c9f");
    assertThat(warning.getEventTime().getTime()).as("micro-seconds, as events.k8s.io/v1 wants")
        .isEqualTo("2026-03-01T10:15:30.123456Z");
    assertThat(warning.getNote()).as("the API server refuses notes over 1 kB").hasSize(1024).endsWith("...");
    assertThat(warning.getRegarding().getKind()).isEqualTo("Deployment");
    assertThat(warning.getRegarding().getName()).isEqualTo("web");
    assertThat(warning.getRegarding().getUid()).isEqualTo("uid-1");
    assertThat(warning.getRegarding().getResourceVersion()).isEqualTo("7");
    Event normal = events.stream().filter(e -> e.getType().equals("Normal")).findFirst().orElseThrow();
    assertThat(normal.getNote()).isEqualTo("policy web: read-only root: app");
    assertThat(normal.getMetadata().getName()).as("two Events at the same instant get two names")
        .isNotEqualTo(warning.getMetadata().getName()).startsWith("web.");
  }

  @Test
  void pastTheBurstEventsAreWrittenAtTheSteadyRate() {
    int extra = 25;
    long started = System.nanoTime();
    try (EventRecorder recorder = new EventRecorder(api.client(), "i", Clock.systemUTC())) {
      for (int i = 0; i < EventRecorder.BURST + extra; i++) {
        recorder.normal(web(), "Harden", "Hardened", "n" + i);
      }
    } // close() waits for what is queued
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(events()).hasSize(EventRecorder.BURST + extra);
    // the burst goes at once; the rest at PER_SECOND (a slower machine only takes longer)
    assertThat(tookMillis).isGreaterThanOrEqualTo((extra - 1) * 1000L / EventRecorder.PER_SECOND);
  }

  @Test
  void aRefusedWriteIsLoggedAndTheNextEventsAreStillWritten() {
    // the first Event is refused (and not retried by the client)
    AtomicInteger refused = new AtomicInteger();
    api.injectFaults(r -> {
      boolean first = r.getMethod().equals("POST") && r.getPath().contains("/events")
          && new String(r.getBody().getBytes(), StandardCharsets.UTF_8).contains("\"note\":\"first\"");
      if (first) {
        refused.incrementAndGet();
      }
      return first ? MockApiServer.Fault.SERVER_ERROR : MockApiServer.Fault.NONE;
    });
    // the mock injects faults only into requests that carry the operator's user agent
    try (KubernetesClient operator = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        api.client().getConfiguration()).withUserAgent(RootlockOperator.USER_AGENT)
        .withRequestRetryBackoffLimit(0).build()).build();
        EventRecorder recorder = new EventRecorder(operator, "i", CLOCK)) {
      recorder.normal(web(), "Harden", "Hardened", "first");
      recorder.normal(web(), "Harden", "Hardened", "second");
    }

    assertThat(refused.get()).as("the first Event was sent and refused").isPositive();
    assertThat(events()).extracting(Event::getNote).containsExactly("second");
  }

  @Test
  void afterCloseAndForToolsWithoutAClusterNothingIsWrittenAndNothingFails() {
    EventRecorder recorder = new EventRecorder(api.client(), "i", CLOCK);
    recorder.close();
    assertThatCode(() -> recorder.normal(web(), "Harden", "Hardened", "late")).doesNotThrowAnyException();
    assertThatCode(() -> EventRecorder.none().warning(web(), "Revert", "Reverted", "x")).doesNotThrowAnyException();
    assertThat(events()).isEmpty();
  }
}
