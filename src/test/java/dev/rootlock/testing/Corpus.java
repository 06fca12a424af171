package dev.rootlock.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.PlanInputException;
import dev.rootlock.plan.SourceDocument;

/**
 * Real public manifests from ../shared/corpus, read at test time (never copied into the project).
 * Skipped when the folder is absent, unless -Drootlock.corpus.required=true (as .ci/run sets).
 */
public final class Corpus {
  private Corpus() {}

  public record Document(Path file, int index, JsonNode node) {
    public String kind() {
      return node.path("kind").asText();
    }

    public String describe() {
      return file.getFileName() + "#" + index + " " + kind() + " " + node.at("/metadata/name").asText();
    }
  }

  public static Path dir() {
    Path dir = Path.of(System.getProperty("rootlock.corpus", "../shared/corpus"));
    boolean present = Files.isDirectory(dir);
    if (!present && Boolean.getBoolean("rootlock.corpus.required")) {
      throw new IllegalStateException("corpus required but missing: " + dir.toAbsolutePath());
    }
    assumeTrue(present, "no corpus at " + dir.toAbsolutePath());
    return dir;
  }

  public static List<Path> files() {
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every non-empty document of every file, with kind: List items flattened. */
  public static List<Document> documents() {
    List<Document> out = new ArrayList<>();
    for (Path f : files()) {
      int i = 0;
      try {
        for (SourceDocument doc : ManifestReader.split(f.toString(), Files.readString(f))) {
          i++;
          if (doc.node() == null) {
            continue;
          }
          JsonNode node = doc.node();
          if ("List".equals(node.path("kind").asText()) && node.has("items")) {
            for (JsonNode item : node.get("items")) {
              out.add(new Document(f, i, item));
            }
          } else {
            out.add(new Document(f, i, node));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (PlanInputException e) {
        throw new IllegalStateException("corpus file does not parse: " + e.getMessage(), e);
      }
    }
    return out;
  }
}
