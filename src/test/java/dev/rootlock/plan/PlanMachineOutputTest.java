package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output for machines: {@code --format json} (schema rootlock.dev/plan/v1, docs/plan.md#json),
 * {@code --format sarif} with the file and line of each finding, and kustomize's {@code --out}
 * saying, cleaning and refusing rather than writing two patches for one object.
 */
class PlanMachineOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private Path write(String name, String content) throws IOException {
    return PlanGateTest.write(dir, name, content);
  }

  private Path policy() throws IOException {
    return PlanGateTest.policy(dir, "  selector: {matchLabels: {tier: web}}\n  cachePaths: [/var/cache]\n");
  }

  private Path manifests() throws IOException {
    return write("app.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, namespace: shop}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: {tier: web}}
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers:
              - name: app
                image: app:1
                resources: {limits: {memory: 100Mi}}
                volumeMounts: [{name: c, mountPath: /var/cache}]
              volumes: [{name: c, configMap: {name: c}}]
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: old, namespace: shop}
        spec:
          template:
            spec:
              containers: [{name: a, image: a:1}]
        """);
  }

  @Test
  void jsonHoldsTheGateTheWorkloadsTheirLinesWarningsAndPatch() throws IOException {
    CliRun run = CliRun.plan(policy(), "--format", "json", manifests().toString());

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stderr()).as("json says everything itself").isEmpty();
    JsonNode root = JSON.readTree(run.stdout());
    assertThat(root.path("apiVersion").asText()).isEqualTo("rootlock.dev/plan/v1");
    assertThat(root.path("exitCode").asInt()).isEqualTo(1);
    assertThat(root.path("failOn").toString()).isEqualTo("[\"nothing-selected\",\"conflict\"]");
    assertThat(root.at("/summary/workloads").asInt()).isEqualTo(2);
    assertThat(root.at("/summary/changes").asInt()).isEqualTo(1);
    assertThat(root.at("/summary/notCovered").asInt()).isEqualTo(1);
    assertThat(root.at("/summary/skipped").asInt()).isZero();
    JsonNode web = root.at("/workloads/0");
    assertThat(web.path("line").asInt()).as("its document's first line, the ---").isEqualTo(4);
    assertThat(web.path("kind").asText()).isEqualTo("Deployment");
    assertThat(web.path("state").asText()).isEqualTo("NonCompliant");
    assertThat(web.path("changes").asBoolean()).isTrue();
    List<String> types = new ArrayList<>();
    web.path("warnings").forEach(w -> types.add(w.path("type").asText()));
    assertThat(types).containsExactlyInAnyOrder("ReadOnlyMount", "MemoryRisk");
    assertThat(web.path("patch").toString()).contains("\"path\":\"/spec/template/spec/containers/0/securityContext\"");
    assertThat(root.at("/workloads/1/state").asText()).isEqualTo("NotCovered");
    assertThat(root.at("/workloads/1/line").asInt()).isEqualTo(19);
    assertThat(root.at("/conditions").toString()).contains("\"condition\":\"not-covered\",\"failsGate\":false");
  }

  @Test
  void sarifGivesEachFindingItsRuleFileAndLine() throws IOException {
    Path input = manifests();
    CliRun run = CliRun.plan(policy(), "--fail-on", "warnings", "--format", "sarif", input.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode log = JSON.readTree(run.stdout());
    assertThat(log.path("version").asText()).isEqualTo("2.1.0");
    JsonNode sarifRun = log.at("/runs/0");
    List<String> found = new ArrayList<>();
    sarifRun.path("results").forEach(r -> {
      JsonNode loc = r.at("/locations/0/physicalLocation");
      found.add(r.path("ruleId").asText() + " " + r.path("level").asText() + " "
          + loc.at("/artifactLocation/uri").asText() + ":" + loc.at("/region/startLine").asInt());
      // ruleIndex points at the rule of that id
      assertThat(sarifRun.at("/tool/driver/rules/" + r.path("ruleIndex").asInt() + "/id").asText())
          .isEqualTo(r.path("ruleId").asText());
    });
    String uri = FilePaths.uri(input.toString());
    assertThat(found).containsExactlyInAnyOrder(
        "not-hardened error " + uri + ":4",
        "read-only-mount error " + uri + ":4",
        "memory-risk error " + uri + ":4",
        "not-covered warning " + uri + ":19");
  }

  @Test
  void kustomizeRefusesOneObjectDefinedTwiceAndRemovesItsOwnStalePatches() throws IOException {
    Path policy = policy();
    Path a = write("a/app.yaml", Files.readString(manifests()));
    write("b/app.yaml", Files.readString(manifests()));
    Path out = dir.resolve("out");

    PlanBadInputTest.assertBadInput(CliRun.plan(policy, "--format", "kustomize", "--out", out.toString(),
        dir.resolve("a").toString(), dir.resolve("b").toString()), "b/app.yaml:4: Deployment shop/web is also defined "
        + "at ", "a/app.yaml:4", "kustomize would apply two patches to one object");

    CliRun first = CliRun.plan(policy, "--format", "kustomize", "--out", out.toString(), a.toString());
    assertThat(first.exitCode()).as(first.stderr()).isEqualTo(1);
    Path patch = out.resolve("deployment-shop-web.yaml");
    assertThat(patch).exists();
    Path foreign = Files.writeString(out.resolve("mine.yaml"), "# not plan's\n");

    // the Deployment is hardened in its source now: its patch would still be applied, so it goes
    Files.writeString(a, CliRun.plan(policy, "--fail-on", "none", a.toString()).stdout());
    CliRun second = CliRun.plan(policy, "--format", "kustomize", "--out", out.toString(), a.toString());
    assertThat(second.stdout()).contains("removed " + patch + " (no longer needed)");
    assertThat(patch).doesNotExist();
    assertThat(foreign).exists();

    PlanBadInputTest.assertBadInput(CliRun.plan(policy, "--format", "diff", "--out", out.toString(), a.toString()),
        "--out: only --format kustomize writes to --out");
  }
}
