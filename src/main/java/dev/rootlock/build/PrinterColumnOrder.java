package dev.rootlock.build;

import dev.rootlock.api.ReadOnlyPolicy;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step (mvn process-classes, after the CRD generator): puts the generated CRD's printer
 * columns in the order the {@link AdditionalPrinterColumn} annotations on {@link ReadOnlyPolicy}
 * are declared. fabric8's generator sorts them by JSON path, which would make
 * {@code kubectl get rop} print AGE second; the contract is NAME MODE MATCHED COMPLIANT READY AGE.
 * Only the order of the column entries changes: every other byte of the file stays as generated.
 */
public final class PrinterColumnOrder {
  private static final Pattern ITEM = Pattern.compile("^(\\s*)- jsonPath:");
  private static final Pattern NAME = Pattern.compile("^\\s*(?:- )?name: \"?([^\"]*)\"?$");

  private PrinterColumnOrder() {}

  /** @param args the generated CRD files to reorder in place */
  public static void main(String[] args) throws IOException {
    for (String file : args) {
      Path p = Path.of(file);
      Files.writeString(p, reorder(Files.readString(p, StandardCharsets.UTF_8), declaredOrder()),
          StandardCharsets.UTF_8);
    }
  }

  /** Column names as declared on ReadOnlyPolicy. */
  public static List<String> declaredOrder() {
    return Arrays.stream(ReadOnlyPolicy.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
  }

  /**
   * The YAML with the entries of every {@code additionalPrinterColumns} list sorted by their
   * position in {@code order}.
   *
   * @throws IllegalStateException when a column is not in {@code order}, or the list is not where
   *     the generator writes it (so a generator change fails the build instead of shipping
   *     columns in the wrong order)
   */
  static String reorder(String yaml, List<String> order) {
    List<String> lines = new ArrayList<>(Arrays.asList(yaml.split("\n", -1)));
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().endsWith("additionalPrinterColumns:")) {
        start = i + 1;
        break;
      }
    }
    if (start < 0) {
      throw new IllegalStateException("no additionalPrinterColumns in the generated CRD");
    }
    Matcher first = ITEM.matcher(lines.get(start));
    if (!first.find()) {
      throw new IllegalStateException("additionalPrinterColumns is not followed by a '- jsonPath:' entry");
    }
    String indent = first.group(1);
    List<List<String>> items = new ArrayList<>();
    int end = start;
    while (end < lines.size()) {
      String line = lines.get(end);
      if (line.startsWith(indent + "- ")) {
        items.add(new ArrayList<>());
      } else if (!line.startsWith(indent + "  ")) {
        break;
      }
      items.get(items.size() - 1).add(line);
      end++;
    }
    List<List<String>> sorted = new ArrayList<>(items);
    sorted.sort((a, b) -> Integer.compare(position(a, order), position(b, order)));
    List<String> out = new ArrayList<>(lines.subList(0, start));
    sorted.forEach(out::addAll);
    out.addAll(lines.subList(end, lines.size()));
    return String.join("\n", out);
  }

  private static int position(List<String> item, List<String> order) {
    for (String line : item) {
      Matcher m = NAME.matcher(line);
      if (m.matches()) {
        int i = order.indexOf(m.group(1));
        if (i < 0) {
          throw new IllegalStateException("printer column " + m.group(1) + " is not declared on ReadOnlyPolicy");
        }
        return i;
      }
    }
    throw new IllegalStateException("a printer column without a name: " + item);
  }
}
