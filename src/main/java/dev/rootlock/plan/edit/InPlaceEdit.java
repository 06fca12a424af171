package dev.rootlock.plan.edit;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.plan.edit.YamlTree.Alias;
import dev.rootlock.plan.edit.YamlTree.Entry;
import dev.rootlock.plan.edit.YamlTree.Mapping;
import dev.rootlock.plan.edit.YamlTree.Node;
import dev.rootlock.plan.edit.YamlTree.Sequence;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a JSON Patch to one YAML (or JSON) document by editing its text: only the lines the
 * patch needs change, and every other byte — comments, anchors, key order, quoting, blank lines,
 * line endings — stays as written.
 *
 * <p>Values are added where a person would add them: a new key after the mapping's last entry, a
 * new item after the list's last one, in the file's own indentation. A value that reaches the
 * node through an alias or a merge key ({@code <<: *defaults}) is never changed in place, since
 * that would change every other user of the anchor: the node gets its own key with the full new
 * value instead, which overrides the merged one. Only {@code add} and {@code replace} are
 * supported; anything else throws {@link CannotEdit}, and the caller falls back.
 */
public final class InPlaceEdit {
  private final YamlTree tree;
  private final String text;
  private final Render render;
  private final TextEdits edits;
  private final Map<Sequence, Integer> insertedInto = new IdentityHashMap<>();

  private InPlaceEdit(YamlTree tree) {
    this.tree = tree;
    this.text = tree.text();
    this.render = Render.of(tree);
    this.edits = new TextEdits(text);
  }

  /**
   * The text with {@code ops} applied.
   *
   * @param planned the document after all of {@code ops}: where a value must be written whole (an
   *     alias, a merged key), it is taken from here
   * @param ops JSON Patch operations on the whole document, in order
   * @throws CannotEdit when a change cannot be made as a minimal edit
   */
  public static String apply(String text, JsonNode planned, JsonNode ops) throws CannotEdit {
    YamlTree tree = YamlTree.parse(text);
    if (tree.root() == null) {
      throw new CannotEdit("the document is empty");
    }
    InPlaceEdit edit = new InPlaceEdit(tree);
    List<String> written = new ArrayList<>();
    for (JsonNode op : ops) {
      String path = op.path("path").asText();
      if (written.stream().anyMatch(w -> path.equals(w) || path.startsWith(w + "/"))) {
        continue; // inside a value already written whole
      }
      String kind = op.path("op").asText();
      if (!kind.equals("add") && !kind.equals("replace")) {
        throw new CannotEdit("cannot " + kind + " " + path + " in place");
      }
      edit.one(kind, path, op.get("value"), planned, written);
    }
    return edit.edits.apply();
  }

  private void one(String kind, String path, JsonNode value, JsonNode planned, List<String> written)
      throws CannotEdit {
    List<String> segments = segments(path);
    if (segments.isEmpty()) {
      throw new CannotEdit("the patch replaces the whole document");
    }
    Node node = tree.root();
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      String here = path(segments.subList(0, i + 1));
      JsonNode whole = last ? value : planned.at(here);
      if (whole == null || whole.isMissingNode()) {
        throw new CannotEdit("no value for " + here);
      }
      if (node instanceof Mapping m) {
        Entry own = own(m, seg);
        if (own == null) { // absent, or only merged in: an own key overrides a merged one
          insertEntry(m, seg, whole);
          written.add(here);
          return;
        }
        if (last || !canDescend(own.value())) {
          replaceValue(m, own, whole);
          written.add(here);
          return;
        }
        node = own.value();
      } else if (node instanceof Sequence s) {
        if (last && kind.equals("add")) {
          insertItem(s, seg, whole);
          return;
        }
        int index = index(seg, s);
        Node item = s.items().get(index);
        if (last || !canDescend(item)) {
          replaceItem(s, index, whole);
          written.add(here);
          return;
        }
        node = item;
      } else {
        throw new CannotEdit("nothing to descend into at " + path(segments.subList(0, i)));
      }
    }
  }

  /** A collection of this document's own that can take a change inside it. */
  private boolean canDescend(Node n) {
    return !tree.isShared(n) && (n instanceof Mapping m && !(m.flow() && m.entries().isEmpty())
        || n instanceof Sequence s && !(s.flow() && s.items().isEmpty()));
  }

  /** The mapping's own entry for {@code key} (the last one, as parsers keep), not a merged one. */
  private static Entry own(Mapping m, String key) {
    Entry found = null;
    for (Entry e : m.entries()) {
      if (e.hasKey(key)) {
        found = e;
      }
    }
    return found;
  }

  private void insertEntry(Mapping m, String key, JsonNode value) throws CannotEdit {
    if (m.entries().isEmpty()) {
      throw new CannotEdit("cannot add to an empty mapping at offset " + m.start());
    }
    Entry last = m.entries().get(m.entries().size() - 1);
    if (m.flow()) {
      appendInFlow(m.start(), last.key(), YamlTree.contentEnd(last.value()), render.flowEntry(key, value));
      return;
    }
    insertLines(YamlTree.contentEnd(m), render.entry(key, value, column(m.entries().get(0).key().start())));
  }

  private void insertItem(Sequence s, String seg, JsonNode value) throws CannotEdit {
    int index = seg.equals("-") ? s.items().size() : Integer.parseInt(seg);
    int before = insertedInto.merge(s, 1, Integer::sum) - 1;
    if (s.items().isEmpty()) {
      throw new CannotEdit("cannot add to an empty list at offset " + s.start());
    }
    if (index < s.items().size()) {
      if (before > 0) {
        throw new CannotEdit("several items inserted inside one list");
      }
      Node at = s.items().get(index);
      if (s.flow()) {
        edits.insert(at.start(), render.inline(value, true) + ", ");
      } else {
        int lineStart = lineStart(dash(at));
        edits.insert(lineStart, String.join(render.newline(), render.item(value, column(dash(at))))
            + render.newline());
      }
      return;
    }
    Node last = s.items().get(s.items().size() - 1);
    if (s.flow()) {
      appendInFlow(s.start(), last, YamlTree.contentEnd(last), render.inline(value, true));
      return;
    }
    insertLines(YamlTree.contentEnd(s), render.item(value, column(dash(s.items().get(0)))));
  }

  private void replaceValue(Mapping m, Entry e, JsonNode value) throws CannotEdit {
    Node old = requireOwn(e.value());
    if (m.flow() || !Render.isBlock(value)) {
      String inline = render.inline(value, m.flow());
      if (old.start() == old.end() && !m.flow()) {
        inline = " " + inline; // "key:" with nothing after the colon
      }
      edits.replace(old.start(), YamlTree.contentEnd(old), inline);
      return;
    }
    int col = column(e.key().start()) + (value.isArray() ? render.listOffset() : render.step());
    edits.replace(colonEnd(e.key()), Math.max(colonEnd(e.key()), YamlTree.contentEnd(old)),
        render.newline() + String.join(render.newline(), render.block(value, col)));
  }

  private void replaceItem(Sequence s, int index, JsonNode value) throws CannotEdit {
    Node old = requireOwn(s.items().get(index));
    if (s.flow() || !Render.isBlock(value)) {
      edits.replace(old.start(), YamlTree.contentEnd(old), render.inline(value, s.flow()));
      return;
    }
    int col = column(dash(old));
    String lines = String.join(render.newline(), render.item(value, col));
    edits.replace(old.start(), YamlTree.contentEnd(old), lines.substring(col + 2));
  }

  /** An anchor's definition cannot be rewritten: its aliases would lose what they repeat. */
  private Node requireOwn(Node n) throws CannotEdit {
    if (tree.isShared(n) && !(n instanceof Alias)) {
      throw new CannotEdit("the value at offset " + n.start() + " is an anchor other nodes repeat");
    }
    return n;
  }

  /** After the last entry of a flow collection: on its line, or on a line of its own when it spans lines. */
  private void appendInFlow(int open, Node lastStart, int lastEnd, String written) {
    if (lineStart(lastStart.start()) == lineStart(open)) {
      edits.insert(lastEnd, ", " + written);
    } else {
      edits.insert(lastEnd, "," + render.newline() + " ".repeat(column(lastStart.start())) + written);
    }
  }

  /** Lines after the line that holds {@code end} (the end of the last entry or item before them). */
  private void insertLines(int end, List<String> lines) {
    String joined = String.join(render.newline(), lines);
    if (end > 0 && text.charAt(end - 1) == '\n') {
      edits.insert(end, joined + render.newline()); // a block scalar ends after its line break
      return;
    }
    int eol = end;
    while (eol < text.length() && text.charAt(eol) != '\n' && text.charAt(eol) != '\r') {
      eol++;
    }
    edits.insert(eol, render.newline() + joined);
  }

  /** Just after the {@code :} that follows a block mapping's key. */
  private int colonEnd(Node key) throws CannotEdit {
    int i = YamlTree.contentEnd(key);
    while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    if (i >= text.length() || text.charAt(i) != ':') {
      throw new CannotEdit("no ':' after the key at offset " + key.start());
    }
    return i + 1;
  }

  /** The offset of the {@code -} that introduces a block sequence item. */
  private int dash(Node item) throws CannotEdit {
    int i = item.start() - 1;
    while (i >= 0 && (text.charAt(i) == ' ' || text.charAt(i) == '\n' || text.charAt(i) == '\r')) {
      i--;
    }
    if (i < 0 || text.charAt(i) != '-') {
      throw new CannotEdit("no '-' before the list item at offset " + item.start());
    }
    return i;
  }

  private int lineStart(int offset) {
    int i = offset;
    while (i > 0 && text.charAt(i - 1) != '\n' && text.charAt(i - 1) != '\r') {
      i--;
    }
    return i;
  }

  private int column(int offset) {
    return offset - lineStart(offset);
  }

  private static int index(String seg, Sequence s) throws CannotEdit {
    try {
      int i = Integer.parseInt(seg);
      if (i >= 0 && i < s.items().size()) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CannotEdit("no list item " + seg);
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (JsonPointer p = JsonPointer.compile(path); !p.matches(); p = p.tail()) {
      out.add(p.getMatchingProperty());
    }
    return out;
  }

  private static String path(List<String> segments) {
    StringBuilder s = new StringBuilder();
    segments.forEach(seg -> s.append('/').append(seg.replace("~", "~0").replace("/", "~1")));
    return s.toString();
  }
}
