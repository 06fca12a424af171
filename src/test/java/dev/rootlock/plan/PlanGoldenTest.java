package dev.rootlock.plan;

import dev.rootlock.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every format against checked-in expected output. After an intended change, regenerate with
 * {@code mvn test -Dtest=PlanGoldenTest -Drootlock.golden.update=true} and review the diff.
 */
class PlanGoldenTest {
  static final String FIXTURES = "src/test/resources/plan/";
  static final String POLICY = FIXTURES + "policy.yaml";
  static final String INPUT = FIXTURES + "input";
  private static final Path GOLDEN = Path.of(FIXTURES, "golden");

  @Test
  void yaml() throws IOException {
    CliRun run = CliRun.of("plan", "--policy", POLICY, INPUT);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertGolden("yaml.out", run.stdout());
  }

  @Test
  void diff() throws IOException {
    CliRun run = CliRun.of("plan", "--policy", POLICY, "--format", "diff", INPUT);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertGolden("diff.out", run.stdout());
  }

  @Test
  void report() throws IOException {
    CliRun run = CliRun.of("plan", "--policy", POLICY, "--format", "report", INPUT);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertGolden("report.out", run.stdout());
  }

  @Test
  void kustomize(@TempDir Path out) throws IOException {
    CliRun run = CliRun.of("plan", "--policy", POLICY, "--format", "kustomize", "--out", out.toString(), INPUT);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.sorted().toList()) {
        all.append("=== ").append(f.getFileName()).append('\n').append(Files.readString(f));
      }
    }
    assertGolden("kustomize.out", all.toString());
  }

  @Test
  void stdinIsReadForDash() throws IOException {
    String input = Files.readString(Path.of(INPUT, "app.yaml"));
    CliRun fromStdin = CliRun.withStdin(input, "plan", "--policy", POLICY, "-");
    CliRun fromFile = CliRun.of("plan", "--policy", POLICY, INPUT + "/app.yaml");
    assertThat(fromStdin.exitCode()).isEqualTo(1);
    assertThat(fromStdin.stdout()).isEqualTo(fromFile.stdout());
  }

  @Test
  void planningThePlannedOutputChangesNothing(@TempDir Path dir) throws IOException {
    assertReplanningChangesNothing(dir.resolve("planned.yaml"), POLICY, INPUT);
  }

  /** Plans {@code input} into {@code planned}, plans that again: exit 0, printed unchanged. */
  static void assertReplanningChangesNothing(Path planned, String policy, String input) throws IOException {
    Files.writeString(planned, CliRun.of("plan", "--policy", policy, input).stdout());

    CliRun again = CliRun.of("plan", "--policy", policy, planned.toString());

    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.stdout()).isEqualTo(Files.readString(planned));
  }

  private static void assertGolden(String name, String actual) throws IOException {
    assertGolden(GOLDEN.resolve(name), actual);
  }

  /** Compares with a checked-in file; rewrites it first with -Drootlock.golden.update=true. */
  static void assertGolden(Path file, String actual) throws IOException {
    if (Boolean.getBoolean("rootlock.golden.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(file));
  }
}
