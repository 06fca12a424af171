package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every value of the chart has a comment in values.yaml and a row in docs/install.md, and the
 * table lists no value the chart does not have. A value is a key whose comment starts with
 * {@code # --} (helm-docs' convention); a key without one must be a group of such values.
 */
class ChartValuesDocumentedTest {
  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z_][A-Za-z0-9_.-]*):(.*)$");
  private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9_.]+)` \\|");

  @Test
  void everyValueIsCommentedInValuesYamlAndListedInInstallMd() throws Exception {
    List<String> undocumented = new ArrayList<>();
    Set<String> values = values(Files.readAllLines(HelmChart.CHART.resolve("values.yaml")), undocumented);
    assertThat(undocumented).as("keys in values.yaml with neither a `# --` comment nor values below them").isEmpty();
    assertThat(values).contains("image.repository", "replicaCount", "webhook.certManager.issuerRef",
        "monitoring.grafanaDashboard.labels");

    Set<String> rows = new LinkedHashSet<>();
    String install = Files.readString(Path.of("docs/install.md"));
    String section = install.substring(install.indexOf("### Helm values"));
    for (String line : section.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        rows.add(m.group(1));
      }
    }
    assertThat(rows).as("the values table in docs/install.md (### Helm values)")
        .containsExactlyInAnyOrderElementsOf(values);
  }

  /** The dotted paths of the documented values; keys that are neither values nor groups go to {@code undocumented}. */
  static Set<String> values(List<String> lines, List<String> undocumented) {
    Set<String> out = new LinkedHashSet<>();
    Deque<int[]> indents = new ArrayDeque<>();
    Deque<String> path = new ArrayDeque<>();
    int insideValue = -1; // indentation of the documented value whose own keys are being skipped
    String pendingGroup = null;
    boolean commented = false;
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        commented = false;
        continue;
      }
      if (trimmed.startsWith("#")) {
        commented |= trimmed.startsWith("# --");
        continue;
      }
      Matcher m = KEY.matcher(line);
      if (!m.matches()) {
        continue; // a list item or a continued value
      }
      int indent = m.group(1).length();
      if (insideValue >= 0 && indent > insideValue) {
        commented = false;
        continue;
      }
      insideValue = -1;
      while (!indents.isEmpty() && indents.peek()[0] >= indent) {
        indents.pop();
        path.pop();
      }
      String parent = String.join(".", reversed(path));
      if (pendingGroup != null && !parent.equals(pendingGroup) && !parent.startsWith(pendingGroup + ".")) {
        undocumented.add(pendingGroup);
      }
      pendingGroup = null;
      path.push(m.group(2));
      indents.push(new int[] {indent});
      String name = String.join(".", reversed(path));
      if (commented) {
        out.add(name);
        insideValue = indent;
      } else if (!m.group(3).isBlank()) {
        undocumented.add(name); // a value on this line, without a comment
      } else {
        pendingGroup = name; // a group: must be followed by values below it
      }
      commented = false;
    }
    if (pendingGroup != null) {
      undocumented.add(pendingGroup);
    }
    return out;
  }

  private static List<String> reversed(Deque<String> path) {
    List<String> out = new ArrayList<>(path);
    java.util.Collections.reverse(out);
    return out;
  }

  @Test
  void theParserTellsValuesFromGroupsAndFindsWhatIsNotCommented() {
    List<String> undocumented = new ArrayList<>();
    Set<String> values = values(List.of(
        "# -- documented", "a: 1",
        "group:", "  # -- inner", "  b: {}", "  c: 2",
        "# -- a map value", "d:", "  e: 1",
        "empty:"), undocumented);
    assertThat(values).containsExactly("a", "group.b", "d");
    assertThat(undocumented).containsExactly("group.c", "empty");
  }
}
