package dev.rootlock.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.e2e.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlPlaneReportTest {
  private static final long START = 1_000_000L;

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(ControlPlaneReport.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
    assertThat(ControlPlaneReport.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(ControlPlaneReport.median(List.of())).isNaN();
  }

  @Test
  void convergenceRatioIsTheMedianOfThePairsRatiosNotTheRatioOfMedians() {
    // pairs: 10/5 = 2.0, 30/20 = 1.5, 12/10 = 1.2 -> median 1.5; medians 12/10 would say 1.2
    ControlPlaneReport report = new ControlPlaneReport("setup", List.of(
        run("operator", 1, 10_000), run("floor", 1, 5_000),
        run("operator", 2, 30_000), run("floor", 2, 20_000),
        run("operator", 3, 12_000), run("floor", 3, 10_000)));
    assertThat(report.pairRatios()).containsExactly(2.0, 1.5, 1.2);
    assertThat(ControlPlaneReport.median(report.pairRatios())).isEqualTo(1.5);
    assertThat(report.median("floor", ControlPlaneRun::convergenceMillis)).isEqualTo(10_000);
    assertThat(report.text()).contains("convergence ratio operator/floor: 1.50x").contains("not met");
  }

  @Test
  void requestsAreCountedByVerbAndResourceWithLeaseRenewalsOutsideThePerWorkloadFigure() {
    List<AuditLog.Request> requests = List.of(
        request("patch", "deployments", "", 409, 2_500), request("get", "deployments", "", 200, 2_600),
        request("patch", "deployments", "", 200, 2_700), request("patch", "deployments", "", 200, 3_000),
        request("patch", "readonlypolicies", "status", 200, 3_100), request("update", "leases", "", 200, 1_500));
    ControlPlaneRun run = ControlPlaneRun.of("operator", 1, requests, 2, 2, new ProcFigures(1.5, 2048), START,
        9_000);
    assertThat(run.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("patch deployments", 3,
        "get deployments", 1, "patch readonlypolicies/status", 1, "update " + ControlPlaneRun.LEASES, 1));
    assertThat(run.requestsForWorkloads()).isEqualTo(5);
    assertThat(run.perWorkload()).isEqualTo(2.5);
    assertThat(run.conflicts()).isEqualTo(1);
    assertThat(run.firstPatchMillis()).as("the first PATCH, refused or not, from process start").isEqualTo(2_500);
  }

  @Test
  void aRunWithoutAnyDeploymentPatchIsRefused() {
    assertThatThrownBy(() -> ControlPlaneRun.of("floor", 1, List.of(request("list", "deployments", "", 200, 10)), 1,
        1, new ProcFigures(0, 0), START, 1)).hasMessageContaining("sent no Deployment PATCH");
  }

  @Test
  void procFiguresFromStatAndStatus() {
    // a name with a space and a parenthesis: fields are counted after the last ")"
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 9 0 0";
    String status = "Name:\tjava\nVmPeak:\t  999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  100 kB\n";
    ProcFigures f = ProcFigures.of(stat, status);
    assertThat(f.cpuSeconds()).isEqualTo(18.01);
    assertThat(f.peakRssKb()).isEqualTo(204_800);
    assertThatThrownBy(() -> ProcFigures.peakRssKb("Name:\tkthreadd\n")).hasMessageContaining("VmHWM");
  }

  private static ControlPlaneRun run(String role, int pair, long convergence) {
    return new ControlPlaneRun(role, pair, Map.of("patch deployments", 1), 1, 1, 0, 1, 1024, 100, convergence);
  }

  private static AuditLog.Request request(String verb, String resource, String sub, int code, long millis) {
    return new AuditLog.Request("id", "u", verb, resource, sub, "ns", "n", code, "/", "allow",
        Instant.ofEpochMilli(START + millis));
  }
}
