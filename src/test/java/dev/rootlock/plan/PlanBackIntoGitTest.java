package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import dev.rootlock.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output that goes back into Git: {@code --write} and single-file {@code --format yaml} change only
 * the lines hardening needs (Compose files shaped like Sentry's and Mastodon's keep every comment
 * and anchor), each file stays its own file, and {@code --format diff} is accepted by real
 * {@code git apply} and {@code patch -p1}.
 */
class PlanBackIntoGitTest {
  static final String DIR = PlanGoldenTest.FIXTURES + "roundtrip/";
  static final String POLICY = DIR + "policy.yaml";
  static final List<String> COMPOSE = List.of(DIR + "tracker-compose.yaml", DIR + "social-compose.yml");

  @Test
  void composeFilesKeepEveryCommentAndAnchorOnlyTheHardenedLinesAreAdded(@TempDir Path dir) throws Exception {
    for (String fixture : COMPOSE) {
      String original = Files.readString(Path.of(fixture));
      Path file = Files.writeString(dir.resolve(Path.of(fixture).getFileName()), original);

      CliRun yaml = CliRun.of("plan", "--policy", POLICY, file.toString());
      CliRun write = CliRun.of("plan", "--policy", POLICY, "--write", file.toString());
      String written = Files.readString(file);

      assertThat(write.exitCode()).as(write.stderr()).isEqualTo(1);
      assertThat(write.stderr()).contains("rootlock plan: wrote " + file);
      assertThat(written).as("--format yaml prints what --write writes").isEqualTo(yaml.stdout());
      // every original line, comments and anchors included, is still there byte for byte, in order
      List<AbstractDelta<String>> deltas = DiffUtils.diff(PlanEditAssertions.lines(original),
          PlanEditAssertions.lines(written)).getDeltas();
      assertThat(deltas).as(fixture).isNotEmpty().allSatisfy(d -> assertThat(d.getSource().getLines()).isEmpty());
      assertThat(deltas.stream().flatMap(d -> d.getTarget().getLines().stream()))
          .allSatisfy(l -> assertThat(l).matches(" {4}(read_only: true|tmpfs:| {2}- \"/.*:size=64m,mode=1777\")\n"));
      assertThat(original.lines().filter(l -> l.contains("&") || l.contains("*") || l.contains("#")).count())
          .isEqualTo(written.lines().filter(l -> l.contains("&") || l.contains("*") || l.contains("#")).count());

      // what Compose reads: every service read-only with its tmpfs, the merged settings still merged
      JsonNode services = ManifestReader.split(file.toString(), written).get(0).node().get("services");
      services.properties().forEach(s -> {
        boolean exempt = s.getKey().equals("mailer");
        assertThat(s.getValue().path("read_only").asBoolean()).as(s.getKey()).isEqualTo(!exempt);
      });
      // planning what was written changes nothing
      CliRun again = CliRun.of("plan", "--policy", POLICY, file.toString());
      assertThat(again.exitCode()).as(again.stderr()).isZero();
      assertThat(again.stdout()).isEqualTo(written);
    }
    JsonNode tracker = ManifestReader.split("t", Files.readString(dir.resolve("tracker-compose.yaml"))).get(0)
        .node().get("services");
    assertThat(tracker.at("/web/image").asText()).as("merged from x-tracker-defaults").isEqualTo("tracker-local");
    assertThat(tracker.at("/web/restart").asText()).as("merged twice over").isEqualTo("unless-stopped");
  }

  @Test
  void theDiffOfMultiDocumentAndComposeFilesIsAcceptedByGitApplyAndPatch(@TempDir Path repo) throws Exception {
    // relative paths, as a CI job in the repository's root passes them: the diff names them so
    List<String> inputs = List.of(PlanGoldenTest.INPUT + "/app.yaml", PlanGoldenTest.INPUT + "/list.yaml",
        PlanGoldenTest.INPUT + "/yaml11.yaml", COMPOSE.get(0), COMPOSE.get(1));
    for (String input : inputs) {
      Files.createDirectories(repo.resolve(input).getParent());
      Files.copy(Path.of(input), repo.resolve(input));
    }
    String[] args = Stream.concat(Stream.of("plan", "--policy", POLICY, "--fail-on", "none", "--format", "diff"),
        inputs.stream()).toArray(String[]::new);
    CliRun diff = CliRun.of(args);
    assertThat(diff.exitCode()).as(diff.stderr()).isEqualTo(1);
    Path patch = Files.writeString(repo.resolve("hardening.patch"), diff.stdout());
    // hunks count lines of the file, not of a document: app.yaml's Deployment is its second document
    assertThat(diff.stdout()).contains("--- a/" + inputs.get(0) + "\n+++ b/" + inputs.get(0) + "\n@@ -32,");

    PlanEditAssertions.patchDryRun(repo, patch);
    PlanEditAssertions.gitApply(repo, patch);

    for (String input : inputs) {
      CliRun yaml = CliRun.of("plan", "--policy", POLICY, "--fail-on", "none", input);
      assertThat(Files.readString(repo.resolve(input))).as(input).isEqualTo(yaml.stdout());
    }
  }

  @Test
  void writeChangesOnlyTheFilesThatNeedItAndReportsThem(@TempDir Path dir) throws Exception {
    Path changed = Files.writeString(dir.resolve("app.yaml"), Files.readString(Path.of(PlanGoldenTest.INPUT,
        "app.yaml")));
    Path untouched = Files.writeString(dir.resolve("service.yaml"),
        "# only a Service\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n");
    FileTime before = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(untouched, before);

    CliRun run = CliRun.of("plan", "--policy", PlanGoldenTest.POLICY, "--write", dir.toString());

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stdout()).as("--write reports as the table").contains("NonCompliant")
        .contains("1 workload(s) would change");
    assertThat(run.stderr()).contains("rootlock plan: wrote " + changed).doesNotContain("wrote " + untouched);
    assertThat(Files.getLastModifiedTime(untouched)).isEqualTo(before);
    assertThat(Files.readString(changed)).contains("readOnlyRootFilesystem: true")
        .startsWith("# The shop front end: nginx with a config map.\n");

    CliRun again = CliRun.of("plan", "--policy", PlanGoldenTest.POLICY, "--write", dir.toString());
    assertThat(again.exitCode()).as("nothing left to change").isZero();
    assertThat(again.stderr()).doesNotContain("wrote");
  }

  @Test
  void severalFilesPrintAsOneStreamForKubectlWithEachFileNamedAndNoKustomization(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n");
    Files.writeString(dir.resolve("b.yaml"),
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: shop}\n");
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: [a.yaml, b.yaml]\n");

    CliRun run = CliRun.of("plan", "--policy", PlanGoldenTest.POLICY, "--fail-on", "none", dir.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("---\n# Source: " + FilePaths.relative(dir.resolve("a.yaml").toString())
        + "\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n---\n# Source: "
        + FilePaths.relative(dir.resolve("b.yaml").toString())
        + "\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: shop}\n");
    assertThat(run.stderr()).contains("kustomization.yaml left out of the stream");
  }

  @Test
  void writeRefusesWhatItCannotDo(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");

    PlanBadInputTest.assertBadInput(CliRun.withStdin("a: b\n", "plan", "--policy", POLICY, "--write", "-"),
        "--write: cannot write stdin in place");
    PlanBadInputTest.assertBadInput(CliRun.of("plan", "--policy", POLICY, "--write", "--format", "yaml",
        file.toString()), "--write: --write changes the files themselves; it goes with --format report");
  }
}
