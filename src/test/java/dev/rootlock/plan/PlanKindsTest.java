package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plan over every kind: StatefulSets, DaemonSets, CronJobs, Jobs and Pods hardened where their
 * templates live, spec.kinds honoured, Windows pods excluded, and workloads plan does not harden
 * listed as not covered. Golden files as in {@link PlanGoldenTest}.
 */
class PlanKindsTest {
  static final String FIXTURES = "src/test/resources/plan/kinds/";
  static final String POLICY = FIXTURES + "policy.yaml";
  static final String INPUT = FIXTURES + "input";
  private static final Path GOLDEN = Path.of(FIXTURES, "golden");

  @Test
  void yaml() throws IOException {
    CliRun run = PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "yaml", null);
    assertThat(run.stderr().lines()).as("not covered, said on stderr").contains(
        "rootlock plan: warning: src/test/resources/plan/kinds/input/not-covered.yaml:1: ReplicaSet ops/web-6d4f "
            + "not covered: a ReplicaSet is meant to be made by a Deployment: harden a Deployment instead",
        "rootlock plan: warning: src/test/resources/plan/kinds/input/not-covered.yaml:17: Pod ops/web-6d4f-x2k "
            + "not covered: owned by ReplicaSet web-6d4f: Rootlock never changes what a controller made (the "
            + "controller would undo it); harden the workload that defines its template",
        "rootlock plan: warning: src/test/resources/plan/kinds/input/not-covered.yaml:29: Rollout ops/canary "
            + "not covered: Rootlock does not know where Rollout (argoproj.io/v1alpha1) keeps its pod template; "
            + "harden it by hand");
  }

  @Test
  void diff() throws IOException {
    PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "diff", null);
  }

  @Test
  void report() throws IOException {
    CliRun run = PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "report", null);
    assertThat(run.stderr()).as("the report lists them itself").isEmpty();
  }

  @Test
  void kustomize(@TempDir Path out) throws IOException {
    PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "kustomize", out);
  }

  @Test
  void planningThePlannedOutputChangesNothing(@TempDir Path dir) throws IOException {
    PlanGoldenTest.assertReplanningChangesNothing(dir.resolve("planned.yaml"), POLICY, INPUT);
  }

  @Test
  void aFileHoldingOnlyAStatefulSetOrAPodIsLookedAt(@TempDir Path dir) throws IOException {
    for (String kind : new String[] {"""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: ops, labels: {tier: ops}}
        spec: {template: {spec: {containers: [{name: db, image: postgres}]}}}
        """, """
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: ops, labels: {tier: ops}}
        spec: {containers: [{name: db, image: postgres}]}
        """}) {
      Path file = dir.resolve("only.yaml");
      Files.writeString(file, kind);
      CliRun run = CliRun.of("plan", "--policy", POLICY, "--format", "report", file.toString());
      assertThat(run.exitCode()).as(run.stdout()).isEqualTo(1);
      assertThat(run.stdout()).contains("NonCompliant").contains("1 workload(s) would change");
    }
  }

  @Test
  void aFileHoldingOnlyAKindPlanDoesNotHardenSaysSo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("rs.yaml");
    Files.writeString(file, """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web, namespace: ops}
        spec: {template: {spec: {containers: [{name: web, image: nginx}]}}}
        """);
    CliRun report = CliRun.of("plan", "--policy", POLICY, "--format", "report", file.toString());
    assertThat(report.stdout()).contains("ReplicaSet  ops/web   -       NotCovered")
        .endsWith("nothing to change; 1 workload(s) not covered\n");
    CliRun yaml = CliRun.of("plan", "--policy", POLICY, file.toString());
    assertThat(yaml.stderr()).contains("ReplicaSet ops/web not covered");
  }
}
