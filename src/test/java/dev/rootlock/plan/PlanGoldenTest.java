package dev.rootlock.plan;

import dev.rootlock.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    assertFormat(POLICY, INPUT, GOLDEN, "yaml", null);
  }

  @Test
  void diff() throws IOException {
    assertFormat(POLICY, INPUT, GOLDEN, "diff", null);
  }

  @Test
  void report() throws IOException {
    assertFormat(POLICY, INPUT, GOLDEN, "report", null);
  }

  @Test
  void kustomize(@TempDir Path out) throws IOException {
    assertFormat(POLICY, INPUT, GOLDEN, "kustomize", out);
  }

  /**
   * Plans {@code input} in {@code format} (exit 1: something changes) and compares the output with
   * {@code golden}/{@code format}.out; for kustomize, every file written to {@code out}, in order.
   */
  static CliRun assertFormat(String policy, String input, Path golden, String format, Path out) throws IOException {
    CliRun run = out == null ? CliRun.of("plan", "--policy", policy, "--format", format, input)
        : CliRun.of("plan", "--policy", policy, "--format", format, "--out", out.toString(), input);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    String actual = run.stdout();
    if (out != null) {
      StringBuilder all = new StringBuilder();
      try (Stream<Path> files = Files.list(out)) {
        for (Path f : files.sorted().toList()) {
          all.append("=== ").append(f.getFileName()).append('\n').append(Files.readString(f));
        }
      }
      actual = all.toString();
    }
    assertGolden(golden.resolve(format + ".out"), actual);
    return run;
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
  static void assertReplanningChangesNothing(Path planned, String policy, String input, String... options)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("plan", "--policy", policy));
    args.addAll(List.of(options));
    args.add(input);
    Files.writeString(planned, CliRun.of(args.toArray(String[]::new)).stdout());

    args.set(args.size() - 1, planned.toString());
    CliRun again = CliRun.of(args.toArray(String[]::new));

    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.stdout()).isEqualTo(Files.readString(planned));
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
