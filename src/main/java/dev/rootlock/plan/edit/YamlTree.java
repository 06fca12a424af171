package dev.rootlock.plan.edit;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * One YAML document as written: every node with where its text starts and ends, its anchor, and
 * whether it is in flow style; aliases kept as aliases (SnakeYAML's composed graph replaces them
 * by their anchor's node and loses where they were written). Built from SnakeYAML's parser
 * events, which carry those positions.
 *
 * <p>Offsets are {@code char} indexes into the text (SnakeYAML counts code points).
 */
final class YamlTree {
  sealed interface Node permits Scalar, Mapping, Sequence, Alias {
    int start();

    int end();
  }

  /** @param plain written without quotes; only a plain {@code <<} key is a merge key */
  record Scalar(String anchor, String value, boolean plain, int start, int end) implements Node {}

  record Mapping(String anchor, boolean flow, int start, int end, List<Entry> entries) implements Node {}

  record Sequence(String anchor, boolean flow, int start, int end, List<Node> items) implements Node {}

  /** {@code *name}, and the node it stands for. */
  record Alias(String anchor, int start, int end, Node target) implements Node {}

  record Entry(Node key, Node value) {
    boolean isMerge() {
      return key instanceof Scalar s && s.plain() && s.value().equals("<<");
    }

    boolean hasKey(String name) {
      return !isMerge() && key instanceof Scalar s && s.value().equals(name);
    }
  }

  private final String text;
  private final Node root;
  private final Set<Node> aliased = Collections.newSetFromMap(new IdentityHashMap<>());
  private final int[] charOfCodePoint;

  private YamlTree(String text) throws CannotEdit {
    this.text = text;
    this.charOfCodePoint = text.length() == text.codePointCount(0, text.length()) ? null : codePointIndex(text);
    this.root = build(text);
  }

  static YamlTree parse(String text) throws CannotEdit {
    return new YamlTree(text);
  }

  String text() {
    return text;
  }

  /** The document's content, or null for an empty document. */
  Node root() {
    return root;
  }

  /**
   * Whether writing inside {@code node} would also change something else: an alias, or a node an
   * alias elsewhere repeats.
   */
  boolean isShared(Node node) {
    return node instanceof Alias || aliased.contains(node);
  }

  /** Where the node's own text ends: a block collection's ends with its last child (not at the next key). */
  static int contentEnd(Node n) {
    if (n instanceof Mapping m && !m.flow() && !m.entries().isEmpty()) {
      Entry last = m.entries().get(m.entries().size() - 1);
      return Math.max(contentEnd(last.key()), contentEnd(last.value()));
    }
    if (n instanceof Sequence s && !s.flow() && !s.items().isEmpty()) {
      return contentEnd(s.items().get(s.items().size() - 1));
    }
    return n.end();
  }

  private static final class Open {
    final CollectionStartEvent event;
    final List<Node> children = new ArrayList<>();

    Open(CollectionStartEvent event) {
      this.event = event;
    }
  }

  private Node build(String text) throws CannotEdit {
    Map<String, Node> anchors = new HashMap<>();
    Deque<Open> open = new ArrayDeque<>();
    Node top = null;
    try {
      for (Event e : new Yaml(new LoaderOptions()).parse(new StringReader(text))) {
        Node made = null;
        if (e instanceof ScalarEvent s) {
          made = new Scalar(s.getAnchor(), s.getValue(), s.getScalarStyle() == org.yaml.snakeyaml.DumperOptions
              .ScalarStyle.PLAIN, offset(s.getStartMark()), offset(s.getEndMark()));
        } else if (e instanceof AliasEvent a) {
          Node target = anchors.get(a.getAnchor());
          if (target == null) {
            throw new CannotEdit("alias *" + a.getAnchor() + " has no anchor");
          }
          aliased.add(target);
          made = new Alias(a.getAnchor(), offset(a.getStartMark()), offset(a.getEndMark()), target);
        } else if (e instanceof CollectionStartEvent c) {
          open.push(new Open(c));
        } else if (e instanceof CollectionEndEvent end) {
          made = close(open.pop(), offset(end.getEndMark()));
        }
        if (made == null) {
          continue;
        }
        String anchor = made instanceof Scalar s ? s.anchor() : made instanceof Mapping m ? m.anchor()
            : made instanceof Sequence q ? q.anchor() : null;
        if (anchor != null) {
          anchors.put(anchor, made);
        }
        if (open.isEmpty()) {
          if (top != null) {
            throw new CannotEdit("more than one document");
          }
          top = made;
        } else {
          open.peek().children.add(made);
        }
      }
    } catch (YAMLException e) {
      throw new CannotEdit("cannot parse: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return top;
  }

  private Node close(Open o, int end) {
    CollectionStartEvent c = o.event;
    int start = offset(c.getStartMark());
    if (c instanceof MappingStartEvent) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i + 1 < o.children.size(); i += 2) {
        entries.add(new Entry(o.children.get(i), o.children.get(i + 1)));
      }
      return new Mapping(c.getAnchor(), c.isFlow(), start, end, List.copyOf(entries));
    }
    return new Sequence(c.getAnchor(), c.isFlow(), start, end, List.copyOf(o.children));
  }

  private int offset(Mark m) {
    int i = m.getIndex();
    return charOfCodePoint == null ? i : charOfCodePoint[Math.min(i, charOfCodePoint.length - 1)];
  }

  private static int[] codePointIndex(String text) {
    int[] out = new int[text.codePointCount(0, text.length()) + 1];
    int cp = 0;
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      out[cp++] = i;
    }
    out[cp] = text.length();
    return out;
  }
}
