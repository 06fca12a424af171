package dev.rootlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The scale benchmark at N = 200 as a regression test: it asserts counts, never times. */
class ScaleBenchmarkIT {
  @Test
  void writesExactlyTheNeededPatchesAndNothingInSteadyState() throws Exception {
    ScaleResult r = ScaleBenchmark.run(200, Duration.ofSeconds(10), 10);
    System.out.println(r.report());

    assertThat(r.needingChange()).isEqualTo(150); // of every 20: 15 need a change, 3 are compliant, 2 excluded
    assertThat(r.workloadWrites()).as("one write per Deployment that needed a change").isEqualTo(r.needingChange());
    assertThat(r.requestsByVerb().getOrDefault("patch deployment", 0L)).as("not one patch more, failed ones included")
        .isEqualTo(r.needingChange());
    assertThat(r.requestsByVerb()).doesNotContainKey("update");
    assertThat(r.requestsByVerb().get("patch policy")).as("one finalizer write per policy: none refused and retried")
        .isEqualTo(ScaleBenchmark.NAMESPACES);
    assertThat(r.requestsByVerb()).as("no read past the caches: no conflict re-read, no owner lookup")
        .doesNotContainKey("get");
    assertThat(r.requestsByVerb().getOrDefault("get report crd", 0L))
        .as("the two report CRDs asked for once (at most once a minute), not per policy").isLessThanOrEqualTo(2);
    assertThat(r.steadyStateRequests()).as("no request at all in steady state").isZero();
    assertThat(r.reactionSamples()).isEqualTo(10);
  }
}
