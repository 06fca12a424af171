package dev.rootlock.plan.edit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replacements of spans of one text, applied together. Spans may not overlap; insertions at the
 * same offset keep the order they were added in, so items appended to one list stay in order.
 */
final class TextEdits {
  private record Edit(int start, int end, String replacement, int order) {}

  private final String text;
  private final List<Edit> edits = new ArrayList<>();

  TextEdits(String text) {
    this.text = text;
  }

  void insert(int at, String s) {
    replace(at, at, s);
  }

  void replace(int start, int end, String s) {
    if (start < 0 || end > text.length() || start > end) {
      throw new IllegalArgumentException("span " + start + ".." + end + " outside the text");
    }
    edits.add(new Edit(start, end, s, edits.size()));
  }

  String apply() throws CannotEdit {
    List<Edit> sorted = new ArrayList<>(edits);
    sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::order));
    StringBuilder out = new StringBuilder(text.length() + 256);
    int at = 0;
    for (Edit e : sorted) {
      if (e.start() < at) {
        throw new CannotEdit("two changes touch the same text at offset " + e.start());
      }
      out.append(text, at, e.start()).append(e.replacement());
      at = e.end();
    }
    return out.append(text, at, text.length()).toString();
  }
}
