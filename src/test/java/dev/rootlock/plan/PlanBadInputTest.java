package dev.rootlock.plan;

import dev.rootlock.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every exit-2 path: a clear file:line and reason on stderr, no stack trace, nothing on stdout. */
class PlanBadInputTest {
  @TempDir
  Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private CliRun plan(Path policy, String... rest) {
    return CliRun.plan(policy, rest);
  }

  static void assertBadInput(CliRun run, String... fragments) {
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr()).contains(fragments).doesNotContain("Exception", "\tat ");
    assertThat(run.stdout()).isEmpty();
  }

  @Test
  void invalidYamlNamesFileAndLine() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    Path bad = write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\n---\nmetadata:\n  name: x\n   broken: [\n");
    assertBadInput(plan(policy, bad.toString()), bad + ":6:", "invalid YAML");
  }

  @Test
  void aliasesThatExpandWithoutBoundAreRejected() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    StringBuilder bomb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\n---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'i'; c++) {
      String previous = "*" + (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [").append(String.join(", ", java.util.Collections.nCopies(10,
          previous))).append("]\n");
    }
    Path bombFile = write("bomb.yaml", bomb.toString());
    Path loop = write("loop.yaml", "a: &x [1, *x]\n");

    assertBadInput(plan(policy, bombFile.toString()), bombFile + ":3:", "more than 250000 repeated values");
    assertBadInput(plan(policy, loop.toString()), loop + ":1:", "an alias refers to a node that contains it");
  }

  @Test
  void invalidPolicyNamesTheField() throws IOException {
    Path policy = write("p.yaml", "# header\n---\napiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\n"
        + "metadata: {name: p}\nspec: {tmpPaths: [tmp]}\n");
    Path input = write("in.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    // the line of the field, not of the document
    assertBadInput(plan(policy, input.toString()), policy + ":6: invalid ReadOnlyPolicy p: spec.tmpPaths[0]: "
        + "\"tmp\" is relative");
  }

  @Test
  void policyFileWithAnotherKindIsRejected() throws IOException {
    Path policy = write("p.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    Path input = write("in.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assertBadInput(plan(policy, input.toString()), policy + ":1:", "expected a ReadOnlyPolicy");
  }

  @Test
  void policyWithAWrongTypeIsRejected() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n"
        + "spec: {tmpPaths: {not: a-list}}\n");
    Path input = write("in.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assertBadInput(plan(policy, input.toString()), policy + ":4: invalid ReadOnlyPolicy: spec.tmpPaths: expected a "
        + "list of strings, found a mapping");
  }

  @Test
  void emptyPolicyFileIsRejected() throws IOException {
    Path policy = write("p.yaml", "# nothing here\n");
    Path input = write("in.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assertBadInput(plan(policy, input.toString()), "no ReadOnlyPolicy");
  }

  @Test
  void missingAndUnreadableFilesAreReported() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    assertBadInput(plan(policy, dir.resolve("nope.yaml").toString()), "nope.yaml", "no such file");
    assertBadInput(plan(dir.resolve("missing-policy.yaml"), policy.toString()), "missing-policy.yaml");
    Path locked = write("locked.yaml", "a: b\n");
    if (locked.toFile().setReadable(false) && !Files.isReadable(locked)) {
      assertBadInput(plan(policy, locked.toString()), "locked.yaml", "cannot read");
    }
  }

  @Test
  void invalidDeploymentIsRejectedWithItsLocation() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    Path input = write("in.yaml", "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: apps/v1\nkind: Deployment\n"
        + "metadata: {name: d}\nspec: {replicas: many}\n");
    assertBadInput(plan(policy, input.toString()), input + ":7: not a valid Deployment: spec.replicas: expected a "
        + "whole number, found the string \"many\"");
  }

  @Test
  void kustomizeWithoutOutIsRejected() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    Path input = write("in.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assertBadInput(plan(policy, "--format", "kustomize", input.toString()), "--out");
  }

  @Test
  void aDeploymentWithoutANameIsRejected() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    Path input = write("in.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {labels: {a: b}}\n"
        + "spec: {template: {spec: {containers: [{name: app, image: x}]}}}\n");
    assertBadInput(plan(policy, "--format", "report", input.toString()), input + ":1:", "metadata.name");
  }

  @Test
  void aForeignKustomizationIsNeverOverwritten() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    Path input = write("in.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        + "spec: {template: {spec: {containers: [{name: app, image: x}]}}}\n");
    Path out = Files.createDirectories(dir.resolve("overlay"));
    Files.writeString(out.resolve("kustomization.yaml"), "resources: [../base]\n");

    CliRun run = plan(policy, "--format", "kustomize", "--out", out.toString(), input.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("refusing to overwrite");
    assertThat(Files.readString(out.resolve("kustomization.yaml"))).isEqualTo("resources: [../base]\n");
  }

  @Test
  void unknownFormatIsAUsageError() throws IOException {
    Path policy = write("p.yaml", "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n");
    CliRun run = plan(policy, "--format", "xml", "in.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--format").contains("xml");
  }
}
