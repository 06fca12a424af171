package dev.rootlock.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.SourceDocument;
import dev.rootlock.testing.PrometheusServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@code kubectl kustomize deploy/}: the objects a user installs, exactly as rendered. */
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
    List<JsonNode> objects = new ArrayList<>();
    for (SourceDocument d : ManifestReader.split(dir, out)) {
      if (d.node() != null) {
        objects.add(d.node());
      }
    }
    return objects;
  }
}
