package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.SourceDocument;
import dev.rootlock.testing.PrometheusServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubectl kustomize deploy/}: the objects a user installs, exactly as rendered; and what
 * tests read from rendered objects, the chart's ({@link HelmChart}) too.
 */
final class Rendered {
  private Rendered() {}

  static List<JsonNode> deploy() throws Exception {
    return kustomize("deploy/");
  }

  static List<JsonNode> kustomize(String dir) throws Exception {
    Process p = new ProcessBuilder(PrometheusServer.binary("kubectl").toString(), "kustomize", dir).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
    }
    return objects(dir, out);
  }

  /** The objects in a stream of YAML documents from {@code source}, empty documents left out. */
  static List<JsonNode> objects(String source, String yaml) throws Exception {
    List<JsonNode> objects = new ArrayList<>();
    for (SourceDocument d : ManifestReader.split(source, yaml)) {
      if (d.node() != null) {
        objects.add(d.node());
      }
    }
    return objects;
  }

  /** The one object of this kind; fails when there is none or more than one. */
  static JsonNode only(List<JsonNode> objects, String kind) {
    List<JsonNode> found = ofKind(objects, kind);
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }

  static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  /** The strings of a YAML list, e.g. a container's args. */
  static List<String> texts(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }
}
