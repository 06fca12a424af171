package dev.rootlock.plan;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --format diff}: a unified diff of each changed file, with the file's own line numbers and
 * {@code a/} and {@code b/} prefixes, so that {@code git apply} and {@code patch -p1} apply it from
 * the directory plan ran in. Line endings are compared as written, and a last line without a line
 * break is marked as diff marks it.
 */
final class DiffOutput {
  static final int CONTEXT = 3;

  private DiffOutput() {}

  static void write(Plan plan, PrintStream out) {
    for (Plan.FilePlan f : plan.files()) {
      if (f.changed()) {
        out.print(diff(FilePaths.relative(f.source()), f.original(), f.planned()));
      }
    }
  }

  /** The unified diff turning {@code before} into {@code after}, both named {@code path}. */
  static String diff(String path, String before, String after) {
    List<String> a = lines(before);
    List<String> b = lines(after);
    List<AbstractDelta<String>> deltas = DiffUtils.diff(a, b).getDeltas();
    if (deltas.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("--- a/" + path + "\n+++ b/" + path + "\n");
    int i = 0;
    while (i < deltas.size()) {
      int j = i; // deltas i..j share one hunk: no more than 2 * CONTEXT unchanged lines between them
      while (j + 1 < deltas.size() && deltas.get(j + 1).getSource().getPosition()
          - end(deltas.get(j)) <= 2 * CONTEXT) {
        j++;
      }
      hunk(out, a, deltas.subList(i, j + 1));
      i = j + 1;
    }
    return out.toString();
  }

  private static void hunk(StringBuilder out, List<String> a, List<AbstractDelta<String>> deltas) {
    AbstractDelta<String> first = deltas.get(0);
    int from = Math.max(0, first.getSource().getPosition() - CONTEXT);
    int to = Math.min(a.size(), end(deltas.get(deltas.size() - 1)) + CONTEXT);
    int shift = first.getTarget().getPosition() - first.getSource().getPosition();
    int added = deltas.stream().mapToInt(d -> d.getTarget().size() - d.getSource().size()).sum();
    int oldLength = to - from;
    int newLength = oldLength + added;
    out.append("@@ -").append(start(from, oldLength)).append(',').append(oldLength)
        .append(" +").append(start(from + shift, newLength)).append(',').append(newLength).append(" @@\n");
    int at = from;
    for (AbstractDelta<String> d : deltas) {
      for (; at < d.getSource().getPosition(); at++) {
        line(out, ' ', a.get(at));
      }
      d.getSource().getLines().forEach(l -> line(out, '-', l));
      d.getTarget().getLines().forEach(l -> line(out, '+', l));
      at = end(d);
    }
    for (; at < to; at++) {
      line(out, ' ', a.get(at));
    }
  }

  /** Unified diff numbers lines from 1; an empty range names the line before it. */
  private static int start(int index, int length) {
    return length == 0 ? index : index + 1;
  }

  private static int end(AbstractDelta<String> d) {
    return d.getSource().getPosition() + d.getSource().size();
  }

  private static void line(StringBuilder out, char prefix, String line) {
    out.append(prefix).append(line);
    if (!line.endsWith("\n")) {
      out.append("\n\\ No newline at end of file\n");
    }
  }

  /** The lines with their line breaks, so that a changed ending is a changed line. */
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }
}
