package dev.rootlock.plan;

import dev.rootlock.testing.CliRun;
import static dev.rootlock.plan.PlanGoldenTest.assertGolden;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan} over a Docker Compose file, every format against checked-in output. Regenerate with
 * {@code mvn test -Dtest=ComposePlanTest -Drootlock.golden.update=true} and review the diff.
 */
class ComposePlanTest {
  static final String DIR = PlanGoldenTest.FIXTURES + "compose/";
  static final String POLICY = DIR + "policy.yaml";
  static final String INPUT = DIR + "compose.yaml";
  private static final Path GOLDEN = Path.of(DIR, "golden");

  @Test
  void yaml() throws IOException {
    PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "yaml", null);
  }

  @Test
  void diff() throws IOException {
    PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "diff", null);
  }

  @Test
  void report() throws IOException {
    PlanGoldenTest.assertFormat(POLICY, INPUT, GOLDEN, "report", null);
  }

  @Test
  void theHardenedServicesAreWhatComposeWouldRun() throws Exception {
    JsonNode services = planned(CliRun.of("plan", "--policy", POLICY, INPUT).stdout()).get("services");

    assertThat(services.at("/proxy/read_only").asBoolean()).isTrue();
    assertThat(texts(services.at("/proxy/tmpfs"))).containsExactly("/tmp:size=64m,mode=1777",
        "/var/cache/nginx:size=64m,mode=1777", "/var/run:size=64m,mode=1777");
    // merged from the x-app anchor, then hardened by the python policy
    assertThat(services.at("/app/image").asText()).isEqualTo("registry.example.com/shop/app:1.4.2");
    assertThat(texts(services.at("/app/tmpfs"))).containsExactly("/home/app/.cache:size=256m,mode=1777",
        "/tmp:size=256m,mode=1777");
    // a single tmpfs string became a list; 100M is no whole number of binary units, so bytes
    assertThat(texts(services.at("/db/tmpfs"))).containsExactly("/var/run/postgresql",
        "/tmp:size=100000000,mode=1777");
    assertThat(services.at("/db/volumes/0").asText()).isEqualTo("pgdata:/var/lib/postgresql/data");
    // excluded, not listed in spec.containers, Audit, already compliant: untouched
    assertThat(services.get("admin").has("read_only")).isFalse();
    assertThat(services.get("migrate").has("read_only")).isFalse();
    assertThat(services.get("beat").has("read_only")).isFalse();
    assertThat(texts(services.at("/worker/tmpfs"))).containsExactly("/tmp:size=32m");
    // YAML 1.2 strings stay strings in the rewritten file
    assertThat(services.at("/migrate/restart").asText()).isEqualTo("no");
    assertThat(services.at("/admin/ports/0").asText()).isEqualTo("2222:22");
  }

  @Test
  void planningThePlannedOutputChangesNothing(@TempDir Path dir) throws IOException {
    // the fixture's web-defaults policy is in conflict on purpose; the gate on that is tested elsewhere
    PlanGoldenTest.assertReplanningChangesNothing(dir.resolve("compose.yaml"), POLICY, INPUT, "--fail-on", "none");
  }

  @Test
  void aComposeFileWithNothingToChangeIsCopiedByteForByte(@TempDir Path dir) throws IOException {
    String compose = "# hardened already\nservices:\n  web:\n    image: nginx   # pinned below\n"
        + "    labels: [tier=web]\n    read_only: yes\n    tmpfs: [/tmp, '/var/cache/nginx:mode=1777', /var/run/]\n";
    Path file = dir.resolve("compose.yml");
    Files.writeString(file, compose);

    CliRun run = CliRun.of("plan", "--policy", POLICY, "--fail-on", "none", file.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo(compose);
    assertThat(run.stderr()).as("the conflict is said even when it fails no gate")
        .contains("conflict: " + file + ":3: ComposeService web: policy web-defaults also selects it");
  }

  @Test
  void kubernetesAndComposeFilesPlanTogether() throws Exception {
    String deployment = PlanGoldenTest.INPUT + "/app.yaml";

    CliRun report = CliRun.of("plan", "--policy", POLICY, "--format", "report", deployment, INPUT);
    CliRun diff = CliRun.of("plan", "--policy", POLICY, "--format", "diff", deployment, INPUT);
    CliRun yaml = CliRun.of("plan", "--policy", POLICY, deployment, INPUT);

    assertThat(report.exitCode()).as(report.stderr()).isEqualTo(1);
    assertThat(report.stdout())
        .containsPattern("app.yaml:10 +Deployment +shop/web +web +NonCompliant +read-only root: nginx")
        .containsPattern("compose.yaml:19 +ComposeService +shop/proxy +web +NonCompliant +read_only: true")
        // namespaces: web-defaults (in platform) cannot select the Deployment in shop, but selects
        // the Compose service, which has no namespace
        .containsPattern("compose.yaml:19 +ComposeService +shop/proxy +web-defaults +Conflict")
        .doesNotContainPattern("app.yaml:10 .*web-defaults")
        .contains("4 workload(s) would change");
    // each file its own diff
    assertThat(diff.exitCode()).isEqualTo(1);
    assertThat(diff.stdout()).contains("--- a/" + deployment + "\n+++ b/" + deployment + "\n")
        .contains("--- a/" + INPUT + "\n+++ b/" + INPUT + "\n");
    // one stream for kubectl apply -f - cannot hold a Compose file: said, never "services:" after "---"
    assertThat(yaml.exitCode()).isEqualTo(2);
    assertThat(yaml.stdout()).isEmpty();
    assertThat(yaml.stderr()).contains(INPUT + ":1: is a Docker Compose file: with several files, --format yaml "
        + "prints one stream of Kubernetes manifests");
  }

  private static JsonNode planned(String yaml) throws PlanInputException {
    return ManifestReader.split("out", yaml).get(0).node();
  }

  private static List<String> texts(JsonNode list) {
    return java.util.stream.StreamSupport.stream(list.spliterator(), false).map(JsonNode::asText).toList();
  }
}
