package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Checks that an in-place edit kept the file, and that real tools accept plan's diffs. */
final class PlanEditAssertions {
  /** The words of every line hardening may have to change (a flow collection it adds to, a value it sets). */
  private static final List<String> TOUCHED = List.of("readOnlyRootFilesystem", "terminationMessagePolicy",
      "securityContext", "volumeMounts", "volumes", "read_only", "tmpfs", "containers");

  private PlanEditAssertions() {}

  /**
   * Every line of {@code before} is still in {@code after}, in order and byte for byte, except lines
   * that hold a field hardening changes; {@code after} only adds lines around them.
   */
  static void assertOnlyHardenedLinesChanged(String label, String before, String after) {
    List<String> a = lines(before);
    List<String> b = lines(after);
    for (AbstractDelta<String> d : DiffUtils.diff(a, b).getDeltas()) {
      for (String removed : d.getSource().getLines()) {
        assertThat(TOUCHED.stream().anyMatch(removed::contains))
            .as(label + ": line " + (d.getSource().getPosition() + 1) + " changed although hardening does not "
                + "touch it: " + removed)
            .isTrue();
      }
    }
  }

  /** The lines with their line breaks, so that a changed line ending counts as a change. */
  static List<String> lines(String text) {
    List<String> out = new ArrayList<>(List.of(text.split("(?<=\n)", -1)));
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** {@code git apply --check} then {@code git apply} of {@code patch} in {@code dir} (a fresh repository). */
  static void gitApply(Path dir, Path patch) throws IOException, InterruptedException {
    run(dir, "git", "init", "-q", ".");
    run(dir, "git", "apply", "--check", patch.toString());
    run(dir, "git", "apply", patch.toString());
  }

  /** {@code patch -p1 --dry-run} of {@code patch} in {@code dir}. */
  static void patchDryRun(Path dir, Path patch) throws IOException, InterruptedException {
    run(dir, "patch", "-p1", "--dry-run", "--batch", "-i", patch.toString());
  }

  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, command[0] + " is not installed: " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + " in " + dir + ":\n" + out).isZero();
    return out;
  }
}
