package dev.rootlock.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.plan.edit.CannotEdit;
import dev.rootlock.plan.edit.InPlaceEdit;
import java.util.List;

/**
 * The text of a changed document. It is edited in place ({@link InPlaceEdit}: only the lines the
 * hardening needs change) and read back, and must read back exactly as planned; when either
 * fails, the document is written anew from its planned tree instead, and the reason is kept so
 * that plan can say so.
 *
 * @param text the document's new text, separator line included
 * @param rewritten why it had to be written anew, or null when it was edited in place
 */
record DocumentEdit(String text, String rewritten) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static DocumentEdit of(SourceDocument doc, JsonNode planned, List<WorkloadPlan> workloads) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    for (WorkloadPlan w : workloads) {
      if (w.changes()) {
        for (JsonNode op : w.ops()) {
          ObjectNode copy = op.deepCopy();
          copy.put("path", w.pointer() + op.get("path").asText());
          ops.add(copy);
        }
      }
    }
    try {
      String text = InPlaceEdit.apply(doc.text(), planned, ops);
      List<SourceDocument> again = ManifestReader.split(doc.source(), text);
      if (again.size() != 1 || !planned.equals(again.get(0).node())) {
        throw new CannotEdit("the edited text does not read back as planned");
      }
      return new DocumentEdit(text, null);
    } catch (CannotEdit | PlanInputException e) {
      return new DocumentEdit(rewrite(doc, planned), e.getMessage());
    }
  }

  /** A JSON document: a JSON object on its first non-blank character. */
  static boolean isJson(SourceDocument doc) {
    return doc.separator().isEmpty() && doc.text().stripLeading().startsWith("{");
  }

  /**
   * The document written anew: plan's YAML style (or JSON for a JSON document), its separator
   * line and a closing {@code ...} kept.
   */
  private static String rewrite(SourceDocument doc, JsonNode planned) {
    if (isJson(doc)) {
      try {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(planned) + "\n";
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a JSON tree always serialises", e);
      }
    }
    StringBuilder text = new StringBuilder();
    if (!doc.separator().isEmpty()) {
      // "--- # comment" stays; content after the marker was part of the document and is rewritten
      String sep = doc.separator().strip();
      text.append(sep.startsWith("--- #") || sep.equals("---") ? sep : "---").append('\n');
    }
    text.append(Yaml.write(planned));
    if (doc.text().stripTrailing().endsWith("\n...") || doc.text().strip().equals("...")) {
      text.append("...\n"); // the original ended the document explicitly; what follows relies on it
    }
    return text.toString();
  }
}
