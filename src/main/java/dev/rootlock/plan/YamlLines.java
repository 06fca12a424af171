package dev.rootlock.plan;

import java.io.StringReader;
import java.util.List;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The line of a field in a document's text, so that bad input inside a document is reported where
 * a person has to fix it. The parsed tree (JSON) has no positions; SnakeYAML's node graph does, with
 * aliases pointing at their anchor, so a field that came through {@code <<: *common} is found where
 * the anchor defines it.
 */
final class YamlLines {
  private final SourceDocument doc;
  private final Node root;

  YamlLines(SourceDocument doc) {
    this.doc = doc;
    this.root = compose(doc.text());
  }

  SourceDocument doc() {
    return doc;
  }

  private static Node compose(String text) {
    try {
      return new Yaml(ManifestReader.loaderOptions()).compose(new StringReader(text));
    } catch (YAMLException e) {
      return null; // the document was parsed once already; without positions, errors name its first line
    }
  }

  /**
   * The line of the last segment: where its key is written, or its item in a list. Where the path
   * cannot be followed, the line of the deepest part that exists.
   */
  int lineOf(FieldPath path) {
    if (root == null) {
      return doc.line();
    }
    Node node = root;
    int line = root.getStartMark().getLine();
    for (Object segment : path.segments()) {
      if (segment instanceof Integer i && node instanceof SequenceNode list && i < list.getValue().size()) {
        node = list.getValue().get(i);
        line = node.getStartMark().getLine();
      } else if (segment instanceof String key && node instanceof MappingNode map && entry(map, key) != null) {
        NodeTuple t = entry(map, key);
        node = t.getValueNode();
        line = t.getKeyNode().getStartMark().getLine();
      } else {
        break;
      }
    }
    // the text starts at the document's first line; marks count from 0
    return doc.line() + line;
  }

  /** PlanInputException at a field: {@code FILE:LINE: services.web.volumes[2]: reason}. */
  PlanInputException error(FieldPath path, String reason) {
    return new PlanInputException(doc.source(), lineOf(path), path + ": " + reason);
  }

  /** The entry for {@code key}: the mapping's own (the last one, as the parser keeps), else a merged one. */
  private static NodeTuple entry(MappingNode map, String key) {
    NodeTuple own = null;
    for (NodeTuple t : map.getValue()) {
      if (!isMerge(t) && t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        own = t;
      }
    }
    if (own != null) {
      return own;
    }
    for (NodeTuple t : map.getValue()) {
      if (isMerge(t)) {
        List<Node> sources = t.getValueNode() instanceof SequenceNode s ? s.getValue() : List.of(t.getValueNode());
        for (Node source : sources) { // the first source that has the key wins, as in YAML's merge rules
          NodeTuple merged = source instanceof MappingNode m ? entry(m, key) : null;
          if (merged != null) {
            return merged;
          }
        }
      }
    }
    return null;
  }

  private static boolean isMerge(NodeTuple t) {
    return t.getKeyNode() instanceof ScalarNode k && k.getTag().equals(Tag.MERGE);
  }
}
