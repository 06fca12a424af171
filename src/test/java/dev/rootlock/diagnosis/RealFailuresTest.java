package dev.rootlock.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recogniser against real failure output from public reports
 * ({@code src/test/resources/diagnosis/real-failures.tsv}: the source of every row is in it):
 * the directory to declare, its field and the safety verdict, exactly.
 */
class RealFailuresTest {
  static final Path TABLE = Path.of("src/test/resources/diagnosis/real-failures.tsv");
  static final Path NON_FAILURES = Path.of("src/test/resources/diagnosis/non-failures.tsv");

  /** One row: {@code \n} in the output column separates lines, {@code \t} is a tab (Java stack frames). */
  record Row(String id, String runtime, String source, ContainerDirectories context, String output, String directory,
      String field, PathSafety verdict) {
    @Override
    public String toString() {
      return id;
    }
  }

  static Stream<Arguments> rows() {
    return read(TABLE).stream().map(c -> Arguments.of(new Row(c[0], c[1], c[2], context(c[3]),
        unescape(c[4]), dash(c[5]), dash(c[6]), verdict(c[7]))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void namesTheDirectoryItsFieldAndWhetherItIsSafe(Row row) {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose(row.output(), row.context());
    assertThat(d.primary()).as("%s: a failure is recognised in%n%s", row.id(), row.output()).isPresent();
    Need need = d.primary().orElseThrow();
    assertThat(need.directory()).as("%s directory", row.id()).isEqualTo(row.directory());
    assertThat(need.field()).as("%s field", row.id()).isEqualTo(row.field());
    assertThat(need.safety()).as("%s verdict", row.id()).isEqualTo(row.verdict());
    // learnable (plain) or seedable exactly when the verdict says so, unless only an info line names it
    boolean acted = need.severity() != Severity.INFO;
    assertThat(row.directory() != null && d.learnable().contains(row.directory())).as("%s learnable", row.id())
        .isEqualTo(row.verdict() == PathSafety.LEARN && acted);
    assertThat(row.directory() != null && d.seedable().contains(row.directory())).as("%s seedable", row.id())
        .isEqualTo(row.verdict() == PathSafety.SEED && acted);
    // and never, in any line of the output, a whole system tree or a runtime-managed directory; a
    // seed never a broad one (a plain one may be, when a failed mkdir proved it absent)
    assertThat(d.learnable()).as("%s: nothing learned off limits", row.id())
        .noneMatch(ImageLayout::isWholeSystemTree).noneMatch(ImageLayout::isRuntimeManaged);
    assertThat(d.seedable()).as("%s: nothing seeded off limits", row.id()).noneMatch(ImageLayout::isOffLimits)
        .noneMatch(ImageLayout::isRuntimeManaged);
  }

  static Stream<Arguments> nonFailures() {
    return read(NON_FAILURES).stream().map(c -> Arguments.of(c[0], unescape(c[3])));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonFailures")
  void otherFailuresAreNotReadOnlyFilesystemFailures(String id, String output) {
    assertThat(ReadOnlyFilesystemErrors.diagnose(output).needs()).as(id).isEmpty();
  }

  static List<String[]> read(Path table) {
    try {
      return Files.readAllLines(table, StandardCharsets.UTF_8).stream().skip(1)
          .filter(l -> !l.isBlank())
          .map(l -> l.split("\t", -1))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ContainerDirectories context(String spec) {
    Map<String, String> kv = new HashMap<>();
    if (!spec.equals("-")) {
      for (String part : spec.split(";")) {
        String[] p = part.split("=", 2);
        kv.put(p[0].strip(), p[1].strip());
      }
    }
    return new ContainerDirectories(kv.get("workingDir"), kv.get("TMPDIR"));
  }

  private static String unescape(String output) {
    return output.replace("\\n", "\n").replace("\\t", "\t");
  }

  private static String dash(String s) {
    return s.equals("-") ? null : s;
  }

  private static PathSafety verdict(String s) {
    return switch (s) {
      case "learn" -> PathSafety.LEARN;
      case "seed" -> PathSafety.SEED;
      case "image-files" -> PathSafety.HIDES_IMAGE_FILES;
      case "runtime" -> PathSafety.RUNTIME_MANAGED;
      case "relative" -> PathSafety.RELATIVE;
      case "no-path" -> PathSafety.NO_PATH;
      default -> throw new IllegalArgumentException("unknown verdict " + s);
    };
  }
}
