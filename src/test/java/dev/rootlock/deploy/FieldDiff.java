package dev.rootlock.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Every field in which two objects differ, as JSON Pointer paths with both values: a field only
 * one side has, a list of another length, a different scalar. Numbers compare by value (YAML's
 * {@code 1000.0} and {@code 1000} are one number); everything else exactly, list order included.
 */
final class FieldDiff {
  private FieldDiff() {}

  /** One line per difference, e.g. {@code /spec/replicas: chart 1, deploy 2}; empty when equal. */
  static List<String> of(JsonNode chart, JsonNode deploy) {
    List<String> out = new ArrayList<>();
    compare("", chart, deploy, out);
    return out;
  }

  private static void compare(String path, JsonNode a, JsonNode b, List<String> out) {
    if (a.isObject() && b.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String p = path + "/" + name.replace("~", "~0").replace("/", "~1");
        if (!a.has(name)) {
          out.add(p + ": only in deploy/: " + b.get(name));
        } else if (!b.has(name)) {
          out.add(p + ": only in the chart: " + a.get(name));
        } else {
          compare(p, a.get(name), b.get(name), out);
        }
      }
    } else if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        out.add(path + ": chart " + a + ", deploy/ " + b);
        return;
      }
      Iterator<JsonNode> x = a.elements();
      Iterator<JsonNode> y = b.elements();
      for (int i = 0; x.hasNext(); i++) {
        compare(path + "/" + i, x.next(), y.next(), out);
      }
    } else if (a.isNumber() && b.isNumber()) {
      if (a.decimalValue().compareTo(b.decimalValue()) != 0) {
        out.add(path + ": chart " + a + ", deploy/ " + b);
      }
    } else if (!a.equals(b)) {
      out.add(path + ": chart " + a + ", deploy/ " + b);
    }
  }
}
