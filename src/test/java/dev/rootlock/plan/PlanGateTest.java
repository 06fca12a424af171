package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit code is the product: every way a CI gate built on {@code plan} used to pass what it
 * should stop (a skipped workload, nothing selected, nothing read, a conflict), the warnings shown
 * on the planned change, and {@code --fail-on}.
 */
class PlanGateTest {
  @TempDir
  Path dir;

  /** Writes {@code content} to {@code dir/name}, creating its directory. */
  static Path write(Path dir, String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  /** {@code dir/policy.yaml}: policy shop/p with the {@code spec} lines given. */
  static Path policy(Path dir, String spec) throws IOException {
    return write(dir, "policy.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\n"
        + "metadata: {name: p, namespace: shop}\nspec:\n" + spec);
  }

  private Path write(String name, String content) throws IOException {
    return write(dir, name, content);
  }

  private Path policy(String spec) throws IOException {
    return policy(dir, spec);
  }

  /** A Job of tier web with a 100Mi memory limit and a configMap at /var/cache. */
  private Path job() throws IOException {
    return write("job.yaml", """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: j, namespace: shop, labels: {tier: web}}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: app
                image: app:1
                resources: {limits: {memory: 100Mi}}
                volumeMounts: [{name: c, mountPath: /var/cache}]
              - name: mail
                image: example/exim4:1
              volumes: [{name: c, configMap: {name: x}}]
        """);
  }

  @Test
  void aWorkloadSkippedForItsMemoryRiskIsNonCompliantAndFailsTheGate() throws IOException {
    Path policy = policy("  selector: {matchLabels: {tier: web}}\n  onMemoryRisk: Skip\n");

    CliRun report = CliRun.plan(policy, "--format", "report", job().toString());
    CliRun yaml = CliRun.plan(policy, job().toString());

    assertThat(report.exitCode()).as(report.stdout()).isEqualTo(1);
    assertThat(report.stdout()).contains("NonCompliant  not hardened: tmpfs may use up to 64Mi of app's 100Mi limit; "
        + "tmpfs may use up to 64Mi and mail has no memory limit (spec.onMemoryRisk: Skip)")
        .doesNotContain(" Compliant ")
        .contains("1 workload(s) not hardened (spec.onMemoryRisk: Skip; fails the gate)");
    assertThat(yaml.exitCode()).isEqualTo(1);
    assertThat(yaml.stdout()).as("nothing is changed").isEqualTo(Files.readString(job()));
    assertThat(yaml.stderr()).contains("skipped: " + job() + ":1: Job shop/j: not hardened");
  }

  @Test
  void aSelectorOrNamespaceThatSelectsNothingFailsTheGateAndSaysWhy() throws IOException {
    Path typo = policy("  selector: {matchLabels: {tier: wbe}}\n");
    CliRun diff = CliRun.plan(typo, "--format", "diff", job().toString());
    assertThat(diff.exitCode()).isEqualTo(1);
    assertThat(diff.stdout()).isEmpty();
    assertThat(diff.stderr()).contains("nothing selected: no policy selects any of the 1 workload(s) read: policy "
        + "shop/p", "selects tier=wbe", "no workload's labels match")
        .contains("failing the gate (--fail-on nothing-selected)");
    assertThat(CliRun.plan(typo, "--fail-on", "none", "--format", "diff", job().toString()).exitCode())
        .as("the condition is said, and fails only when named").isZero();

    Path elsewhere = write("other.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\n"
        + "metadata: {name: p, namespace: prod}\nspec: {selector: {}}\n");
    CliRun report = CliRun.plan(elsewhere, "--format", "report", job().toString());
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(report.stdout()).contains("NotSelected").contains("nothing selected (fails the gate: --fail-on "
        + "nothing-selected)");
    assertThat(report.stdout()).contains("the workloads are in namespace(s) shop, and a policy selects only in its "
        + "own namespace");
  }

  @Test
  void nothingReadIsBadInputNotNothingToChange() throws IOException {
    Path policy = policy("  selector: {}\n");
    Files.createDirectories(dir.resolve("empty"));
    write("docs/readme.txt", "not a manifest\n");

    PlanBadInputTest.assertBadInput(CliRun.plan(policy, dir.resolve("empty").toString()),
        "nothing to plan: no *.yaml, *.yml or *.json file found");
    PlanBadInputTest.assertBadInput(CliRun.plan(policy, dir.resolve("docs").toString()), "nothing to plan");
    PlanBadInputTest.assertBadInput(CliRun.withStdin("# only a comment\n", "plan", "--policy", policy.toString(),
        "-"), "nothing to plan: the 1 file(s) read hold no document");

    // a directory of *.json is read as a .json file named directly is
    write("json/pod.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", "
        + "\"namespace\": \"shop\"}, \"spec\": {\"containers\": [{\"name\": \"a\", \"image\": \"a:1\"}]}}\n");
    CliRun json = CliRun.plan(policy, "--format", "report", dir.resolve("json").toString());
    assertThat(json.exitCode()).as(json.stderr()).isEqualTo(1);
    assertThat(json.stdout()).contains("pod.json:1", "Pod", "shop/p", "NonCompliant");
  }

  @Test
  void twoEnforcingPoliciesOnOneWorkloadFailTheGate() throws IOException {
    Path policies = write("two.yaml", """
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: a, namespace: shop}
        spec: {selector: {matchLabels: {tier: web}}}
        ---
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: b, namespace: shop}
        spec: {selector: {}}
        """);
    Path hardened = write("hardened.yaml", CliRun.plan(policy("  selector: {}\n"), "--fail-on", "none",
        write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, labels: {tier: web}}\n"
            + "spec:\n  containers: [{name: a, image: a:1}]\n").toString()).stdout());

    CliRun run = CliRun.plan(policies, "--format", "report", hardened.toString());
    assertThat(run.stdout()).containsPattern("Conflict +owned by policy shop/a")
        .contains("1 conflict(s): several enforcing policies select one workload (fails the gate: --fail-on "
            + "conflict)");
    assertThat(run.exitCode()).as("nothing changes, yet the conflict fails").isEqualTo(1);
    assertThat(CliRun.plan(policies, "--fail-on", "none", hardened.toString()).exitCode()).isZero();
  }

  @Test
  void warningsAreShownOnThePlannedChangeAndFailWhenNamed() throws IOException {
    Path policy = policy("  selector: {matchLabels: {tier: web}}\n  tmpPaths: [/tmp]\n"
        + "  cachePaths: [/var/cache, /var/lib/x]\n  excludeImages: [\"example/exim4:*\"]\n");

    CliRun run = CliRun.plan(policy, "--format", "report", job().toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdout()).contains("NonCompliant")
        .contains("container app: tmpfs may use up to 128Mi of app's 100Mi limit")
        .contains("container app: /var/cache is declared writable but is a read-only mount (configMap volume c): "
            + "the app still cannot write there")
        .contains("container mail is exempt (")
        .contains("3 warning(s)");

    // the hardened output: nothing changes, the warnings stay, and fail only with --fail-on warnings
    Path hardened = write("hardened.yaml", CliRun.plan(policy, job().toString()).stdout());
    CliRun again = CliRun.plan(policy, "--format", "report", hardened.toString());
    assertThat(again.exitCode()).as(again.stdout()).isZero();
    assertThat(again.stdout()).contains("3 warning(s)").doesNotContain("fails the gate")
        .as("Rootlock's own volumes are no news").doesNotContain("already mounted by rl-");
    CliRun failing = CliRun.plan(policy, "--fail-on", "warnings", "--format", "report", hardened.toString());
    assertThat(failing.exitCode()).isEqualTo(1);
    assertThat(failing.stdout()).contains("3 warning(s) (fails the gate: --fail-on warnings)");
  }

  @Test
  void notCoveredFailsOnlyWhenNamedAndAMistypedConditionIsRefused() throws IOException {
    Path policy = policy("  selector: {}\n");
    Path rs = write("rs.yaml", """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: old, namespace: shop}
        spec:
          template:
            spec:
              containers: [{name: a, image: a:1}]
        """);

    CliRun plain = CliRun.plan(policy, "--format", "report", rs.toString());
    assertThat(plain.exitCode()).as(plain.stdout()).isZero();
    assertThat(plain.stdout()).contains("NotCovered").contains("1 workload(s) not covered");
    CliRun gate = CliRun.plan(policy, "--fail-on", "not-covered", "--format", "report", rs.toString());
    assertThat(gate.exitCode()).isEqualTo(1);
    assertThat(gate.stdout()).contains("1 workload(s) not covered (fails the gate: --fail-on not-covered)");

    PlanBadInputTest.assertBadInput(CliRun.plan(policy, "--fail-on", "not-coverd", rs.toString()),
        "--fail-on: unknown condition 'not-coverd'", "(did you mean not-covered?)");
  }

  @Test
  void listItemsAreReportedAtTheirOwnLine() throws IOException {
    Path policy = policy("  selector: {}\n");
    Path list = write("list.yaml", """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: c, namespace: shop}
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: d, namespace: shop}
          spec:
            selector: {matchLabels: {a: b}}
            template:
              metadata: {labels: {a: b}}
              spec:
                containers: [{name: app, image: app:1}]
        - apiVersion: v1
          kind: Pod
          metadata: {name: p, namespace: shop}
          spec:
            containers: [{name: app, image: app:1}]
        """);

    CliRun run = CliRun.plan(policy, "--format", "report", list.toString());

    assertThat(run.stdout()).contains("list.yaml:7   Deployment", "list.yaml:16  Pod").doesNotContain("list.yaml:1 ");
  }
}
