package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads manifests: files, directories (recursively {@code *.yaml}, {@code *.yml}, {@code *.json}, sorted) and
 * {@code -} for stdin, split into documents that keep their exact original text.
 *
 * <p>Documents are split on YAML's own markers ({@code ---} and {@code ...} at the start of a line)
 * and each is parsed on its own by SnakeYAML with YAML 1.1 rules, as Kubernetes reads manifests
 * ({@code 0440} is an octal number, {@code ~} is null, {@code yes} is true), resolving anchors,
 * aliases and merge keys. A Docker Compose file is read again with the rules Compose reads it with
 * (see {@link ComposeYaml}).
 */
public final class ManifestReader {
  public static final String STDIN = "-";
  private static final Pattern START = Pattern.compile("^---(?:[ \\t].*)?$");
  private static final Pattern END = Pattern.compile("^\\.\\.\\.(?:[ \\t].*)?$");
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * SnakeYAML's default of 50 aliases is too few for Compose files, where every service may merge
   * two or three anchors; what protects against alias bombs is {@link #MAX_REPEATED_VALUES}.
   */
  private static final int MAX_ALIASES = 10_000;
  /** Values that aliases may repeat in one document once it is expanded, as plan writes it. */
  static final int MAX_REPEATED_VALUES = 250_000;

  private final InputStream stdin;

  public ManifestReader(InputStream stdin) {
    this.stdin = stdin;
  }

  /** Every file named or found under the paths, in a stable order. */
  public List<Path> expand(List<String> paths) throws PlanInputException {
    List<Path> files = new ArrayList<>();
    for (String p : paths) {
      if (p.equals(STDIN)) {
        files.add(Path.of(STDIN));
        continue;
      }
      Path path = Path.of(p);
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(Files::isRegularFile)
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml") || isJson(f.toString()))
              .sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new PlanInputException(p, 0, "cannot read directory: " + e.getMessage());
        }
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else {
        throw new PlanInputException(p, 0, "no such file or directory");
      }
    }
    return files;
  }

  public List<SourceDocument> read(Path file) throws PlanInputException {
    String name = file.toString();
    try {
      String content = name.equals(STDIN)
          ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(file, StandardCharsets.UTF_8);
      return split(name, content);
    } catch (IOException e) {
      throw new PlanInputException(name, 0, "cannot read: " + e.getMessage());
    }
  }

  private static boolean isJson(String name) {
    return name.endsWith(".json");
  }

  /**
   * Splits and parses one file's content: YAML documents, or for a {@code *.json} file one JSON
   * value (read by a JSON parser: JSON allows tabs where YAML does not).
   */
  public static List<SourceDocument> split(String source, String content) throws PlanInputException {
    if (isJson(source)) {
      try {
        JsonNode node = content.isBlank() ? null : JSON.readTree(content);
        return List.of(new SourceDocument(source, 1, content, "", node));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new PlanInputException(source, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
            "invalid JSON: " + e.getOriginalMessage());
      }
    }
    List<SourceDocument> docs = new ArrayList<>();
    String[] lines = content.split("(?<=\n)", -1);
    StringBuilder text = new StringBuilder();
    StringBuilder body = new StringBuilder();
    String separator = "";
    int startLine = 1;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String bare = line.replaceAll("\r?\n$", "");
      if (START.matcher(bare).matches()) {
        if (text.length() > 0) {
          docs.add(parse(source, startLine, text.toString(), separator, body.toString()));
        }
        text.setLength(0);
        body.setLength(0);
        separator = line;
        startLine = i + 1;
        text.append(line);
        // content after "--- " on the same line belongs to the document
        body.append(bare.length() > 3 ? bare.substring(4) + "\n" : "\n");
        continue;
      }
      text.append(line);
      if (END.matcher(bare).matches()) {
        // "..." ends the document; whatever follows is the next one, even without "---"
        body.append("\n");
        docs.add(parse(source, startLine, text.toString(), separator, body.toString()));
        text.setLength(0);
        body.setLength(0);
        separator = "";
        startLine = i + 2;
        continue;
      }
      body.append(line);
    }
    if (text.length() > 0 || docs.isEmpty()) {
      docs.add(parse(source, startLine, text.toString(), separator, body.toString()));
    }
    return docs;
  }

  /**
   * YAML 1.1 as Kubernetes reads it, except that timestamps stay strings: Kubernetes' YAML-to-JSON
   * conversion never turns {@code 2024-01-01} into a date, and neither may plan.
   */
  private static final class KubernetesConstructor extends SafeConstructor {
    KubernetesConstructor() {
      super(loaderOptions());
      this.yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
    }
  }

  private static SourceDocument parse(String source, int line, String text, String separator, String body)
      throws PlanInputException {
    JsonNode node = load(new Yaml(new KubernetesConstructor()), source, line, body);
    if (ComposeYaml.isCompose(node)) {
      node = load(ComposeYaml.loader(loaderOptions()), source, line, body);
    }
    return new SourceDocument(source, line, text, separator, node);
  }

  private static JsonNode load(Yaml yaml, String source, int line, String body) throws PlanInputException {
    Object loaded;
    try {
      loaded = yaml.load(body);
    } catch (MarkedYAMLException e) {
      int at = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine();
      // body lines line up with text lines: the separator line became an empty (or content) line
      throw new PlanInputException(source, line + at, "invalid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new PlanInputException(source, line, "invalid YAML: " + e.getMessage());
    }
    String problem = expansionProblem(loaded, false, new long[] {MAX_REPEATED_VALUES},
        Collections.newSetFromMap(new IdentityHashMap<>()), Collections.newSetFromMap(new IdentityHashMap<>()));
    if (problem != null) {
      throw new PlanInputException(source, line, "invalid YAML: " + problem);
    }
    return loaded == null ? null : JSON.valueToTree(loaded);
  }

  /** The options every reader of plan's input uses, so they accept the same documents. */
  static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    return options;
  }

  /**
   * Aliases share objects in what SnakeYAML loads, but the JSON tree (and the rewritten document)
   * holds a copy per alias: a few lines of nested aliases can expand to billions of values, and an
   * alias inside its own anchor to an endless tree. Walks the loaded objects as the tree would,
   * counting only what aliases repeat, so a large document without aliases is never refused.
   *
   * @param repeated whether {@code o} is reached again through an alias
   * @param open the collections on the path from the root (a cycle), {@code seen} all visited ones
   */
  private static String expansionProblem(Object o, boolean repeated, long[] left, Set<Object> open,
      Set<Object> seen) {
    if (repeated && --left[0] < 0) {
      return "aliases expand this document to more than " + MAX_REPEATED_VALUES + " repeated values";
    }
    if (!(o instanceof Map<?, ?>) && !(o instanceof Collection<?>)) {
      return null;
    }
    if (!open.add(o)) {
      return "an alias refers to a node that contains it, which would never end";
    }
    boolean again = repeated || !seen.add(o);
    for (Object child : o instanceof Map<?, ?> m ? m.values() : (Collection<?>) o) {
      String problem = expansionProblem(child, again, left, open, seen);
      if (problem != null) {
        return problem;
      }
    }
    open.remove(o);
    return null;
  }
}
