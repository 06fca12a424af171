package dev.rootlock.plan;

import java.io.PrintStream;

/**
 * Every input document on stdout, in order. Unchanged documents are copied byte for byte
 * (comments, anchors, quoting kept); a changed document is written anew from its patched tree.
 */
final class YamlOutput {
  private YamlOutput() {}

  static void write(Plan plan, PrintStream out) {
    String previousSource = null;
    boolean endsWithNewline = true;
    for (Plan.DocumentPlan d : plan.documents()) {
      SourceDocument doc = d.doc();
      boolean newFile = !doc.source().equals(previousSource);
      StringBuilder text = new StringBuilder();
      if (!endsWithNewline) {
        text.append('\n');
      }
      if (newFile && previousSource != null && doc.separator().isEmpty()) {
        text.append("---\n"); // keep files apart when concatenated
      }
      if (d.changed()) {
        text.append(doc.separator().isEmpty() && !(newFile && previousSource != null) ? "" : separatorOf(doc));
        text.append(Yaml.write(d.planned()));
        if (doc.text().stripTrailing().endsWith("\n...") || doc.text().strip().equals("...")) {
          text.append("...\n"); // the original ended the document explicitly; what follows relies on it
        }
      } else {
        text.append(doc.text());
      }
      String s = text.toString();
      out.print(s);
      if (!s.isEmpty()) {
        endsWithNewline = s.endsWith("\n");
      }
      previousSource = doc.source();
    }
    if (!endsWithNewline) {
      out.print('\n');
    }
  }

  private static String separatorOf(SourceDocument doc) {
    if (doc.separator().isEmpty()) {
      return "";
    }
    // "--- # comment" stays; content after the marker was part of the document and is rewritten
    String sep = doc.separator().strip();
    return (sep.startsWith("--- #") || sep.equals("---") ? sep : "---") + "\n";
  }
}
