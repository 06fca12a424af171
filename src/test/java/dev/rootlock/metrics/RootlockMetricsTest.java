package dev.rootlock.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.Mode;
import dev.rootlock.api.WorkloadState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metric values over a policy's lifecycle, without an operator: create, harden, conflict, delete. */
class RootlockMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RootlockMetrics metrics = new RootlockMetrics(registry);

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void valuesFollowThePolicyAndEverySeriesGoesWithIt() {
    metrics.observed("shop", "web", Mode.Enforce, Map.of(WorkloadState.NonCompliant, 2), false, 0);
    assertThat(gauge(RootlockMetrics.WORKLOADS, "namespace", "shop", "policy", "web", "state", "NonCompliant")).isEqualTo(2);
    assertThat(gauge(RootlockMetrics.WORKLOADS, "namespace", "shop", "policy", "web", "state", "Compliant")).isZero();
    assertThat(gauge(RootlockMetrics.READY, "namespace", "shop", "policy", "web")).isZero();

    metrics.patch("shop", "web", RootlockMetrics.PatchAction.harden, RootlockMetrics.PatchResult.success);
    metrics.patch("shop", "web", RootlockMetrics.PatchAction.harden, RootlockMetrics.PatchResult.success);
    metrics.observed("shop", "web", Mode.Enforce, Map.of(WorkloadState.Compliant, 2), true, 1);
    assertThat(gauge(RootlockMetrics.WORKLOADS, "namespace", "shop", "policy", "web", "state", "Compliant")).isEqualTo(2);
    assertThat(gauge(RootlockMetrics.WORKLOADS, "namespace", "shop", "policy", "web", "state", "NonCompliant")).isZero();
    assertThat(gauge(RootlockMetrics.READY, "namespace", "shop", "policy", "web")).isEqualTo(1);
    assertThat(gauge(RootlockMetrics.WARNINGS, "namespace", "shop", "policy", "web")).isEqualTo(1);
    assertThat(registry.get(RootlockMetrics.PATCHES).tags("action", "harden", "result", "success").counter().count()).isEqualTo(2);

    metrics.observed("shop", "other", Mode.Audit, Map.of(WorkloadState.Conflict, 1), false, 0);
    metrics.observed("shop", "other", Mode.Enforce, Map.of(WorkloadState.Conflict, 1), false, 0);
    assertThat(registry.find(RootlockMetrics.INFO).tags("policy", "other").gauges()).singleElement()
        .satisfies(g -> assertThat(g.getId().getTag("mode")).isEqualTo("Enforce"));

    metrics.deleted("shop", "web");
    assertThat(registry.find(RootlockMetrics.WORKLOADS).tags("policy", "web").gauges()).isEmpty();
    assertThat(registry.find(RootlockMetrics.READY).tags("policy", "web").gauges()).isEmpty();
    assertThat(registry.find(RootlockMetrics.INFO).tags("policy", "web").gauges()).isEmpty();
    assertThat(registry.find(RootlockMetrics.PATCHES).tags("policy", "web").counters()).isEmpty();
    assertThat(registry.find(RootlockMetrics.WARNINGS).tags("policy", "web").gauges()).isEmpty();
    assertThat(registry.find(RootlockMetrics.WORKLOADS).tags("policy", "other").gauges())
        .hasSize(dev.rootlock.api.WorkloadState.values().length);
  }

  @Test
  void anInvalidSpecKeepsTheCountsAndIsNotReady() {
    metrics.observed("shop", "web", Mode.Enforce, Map.of(WorkloadState.Compliant, 3), true, 0);
    metrics.invalid("shop", "web", Mode.Enforce);
    assertThat(gauge(RootlockMetrics.WORKLOADS, "namespace", "shop", "policy", "web", "state", "Compliant")).isEqualTo(3);
    assertThat(gauge(RootlockMetrics.READY, "namespace", "shop", "policy", "web")).isZero();
  }
}
