package dev.rootlock.plan.edit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rootlock.plan.Yaml;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Values written into an existing file in that file's own style: its indentation step, whether
 * its lists are indented under their key, its line ending, and JSON syntax for a JSON file.
 * Scalars are quoted as plan quotes everywhere ({@link Yaml}).
 *
 * @param step spaces a nested mapping is indented by
 * @param listOffset spaces a list's dashes are indented under its key (0: {@code key:\n- a})
 * @param newline "\n" or "\r\n", as the file has it
 * @param json write flow collections as JSON (quoted keys), for a JSON file
 */
record Render(int step, int listOffset, String newline, boolean json) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEFAULT_STEP = 2;

  /** The style of the document {@code tree} holds, from its first nested mapping and list. */
  static Render of(YamlTree tree) {
    String text = tree.text();
    int[] found = {-1, -1}; // step, listOffset
    measure(tree.root(), text, found);
    int step = found[0] > 0 ? found[0] : DEFAULT_STEP;
    boolean json = tree.root() instanceof YamlTree.Mapping m && m.flow() && text.strip().startsWith("{");
    return new Render(step, found[1] >= 0 ? found[1] : step, text.contains("\r\n") ? "\r\n" : "\n", json);
  }

  private static void measure(YamlTree.Node n, String text, int[] found) {
    if (found[0] > 0 && found[1] >= 0) {
      return;
    }
    if (n instanceof YamlTree.Mapping m && !m.flow()) {
      for (YamlTree.Entry e : m.entries()) {
        int keyColumn = column(text, e.key().start());
        if (e.value() instanceof YamlTree.Mapping child && !child.flow() && !child.entries().isEmpty()
            && found[0] <= 0) {
          found[0] = column(text, child.entries().get(0).key().start()) - keyColumn;
        } else if (e.value() instanceof YamlTree.Sequence list && !list.flow() && found[1] < 0
            && lineOf(text, list.start()) > lineOf(text, e.key().start())) {
          found[1] = column(text, list.start()) - keyColumn;
        }
        measure(e.value(), text, found);
      }
    } else if (n instanceof YamlTree.Sequence s) {
      s.items().forEach(i -> measure(i, text, found));
    }
  }

  private static int column(String text, int offset) {
    int i = offset;
    while (i > 0 && text.charAt(i - 1) != '\n' && text.charAt(i - 1) != '\r') {
      i--;
    }
    return offset - i;
  }

  private static int lineOf(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
  }

  /** The lines of {@code key: value} in a block mapping whose keys start at column {@code col}. */
  List<String> entry(String key, JsonNode value, int col) {
    List<String> lines = new ArrayList<>();
    String head = " ".repeat(col) + scalar(TextNode.valueOf(key), false) + ":";
    if (!isBlock(value)) {
      lines.add(head + " " + inline(value, false));
      return lines;
    }
    lines.add(head);
    lines.addAll(block(value, col + (value.isArray() ? listOffset : step)));
    return lines;
  }

  /** The lines of {@code - value} in a block sequence whose dashes are at column {@code col}. */
  List<String> item(JsonNode value, int col) {
    if (!isBlock(value)) {
      return List.of(" ".repeat(col) + "- " + inline(value, false));
    }
    List<String> inner = block(value, col + 2);
    List<String> lines = new ArrayList<>();
    lines.add(" ".repeat(col) + "- " + inner.get(0).substring(col + 2));
    lines.addAll(inner.subList(1, inner.size()));
    return lines;
  }

  /** A non-empty mapping's entries at column {@code col}, or a non-empty list's items with dashes there. */
  List<String> block(JsonNode value, int col) {
    List<String> lines = new ArrayList<>();
    if (value.isObject()) {
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        lines.addAll(entry(e.getKey(), e.getValue(), col));
      }
    } else {
      value.forEach(v -> lines.addAll(item(v, col)));
    }
    return lines;
  }

  /** {@code key: value} inside a flow mapping. */
  String flowEntry(String key, JsonNode value) {
    return scalar(TextNode.valueOf(key), true) + ": " + inline(value, true);
  }

  /** Written on one line: a scalar, or a collection in flow style ({@code {}} and {@code []} when empty). */
  String inline(JsonNode value, boolean inFlow) {
    if (!value.isContainerNode()) {
      return scalar(value, inFlow);
    }
    List<String> parts = new ArrayList<>();
    if (value.isObject()) {
      value.properties().forEach(e -> parts.add(scalar(TextNode.valueOf(e.getKey()), true) + ": "
          + inline(e.getValue(), true)));
      return "{" + String.join(", ", parts) + "}";
    }
    value.forEach(v -> parts.add(inline(v, true)));
    return "[" + String.join(", ", parts) + "]";
  }

  static boolean isBlock(JsonNode value) {
    return value.isContainerNode() && !value.isEmpty();
  }

  private String scalar(JsonNode value, boolean inFlow) {
    if (json) {
      return write(value);
    }
    String s = Yaml.write(value).stripTrailing();
    // a plain scalar may not hold flow indicators inside [ ] or { }
    if (inFlow && value.isTextual() && !s.startsWith("\"") && !s.startsWith("'") && s.matches(".*[,\\[\\]{}].*")) {
      return write(value);
    }
    return s;
  }

  private static String write(JsonNode value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON value always serialises", e);
    }
  }
}
