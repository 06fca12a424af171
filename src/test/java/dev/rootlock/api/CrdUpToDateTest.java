package dev.rootlock.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.build.PrinterColumnOrder;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** crds/ is what users apply: it must be exactly what the build generates from the Java classes. */
class CrdUpToDateTest {
  private static final Path CHECKED_IN = Path.of("crds/readonlypolicies.rootlock.dev-v1.yml");

  @Test
  void checkedInCrdEqualsTheGeneratedOne() throws IOException {
    assertThat(Files.readString(CHECKED_IN))
        .as("crds/ is stale; refresh it with: cp %s crds/", Cluster.GENERATED_CRD)
        .isEqualTo(Files.readString(Cluster.GENERATED_CRD));
  }

  @Test
  void crdHasTheContractNamesAndColumns() throws IOException {
    JsonNode crd = Manifests.parse(Files.readString(CHECKED_IN), JsonNode.class);
    JsonNode names = crd.at("/spec/names");
    assertThat(crd.at("/spec/group").asText()).isEqualTo("rootlock.dev");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(names.get("kind").asText()).isEqualTo("ReadOnlyPolicy");
    assertThat(names.get("plural").asText()).isEqualTo("readonlypolicies");
    assertThat(names.get("singular").asText()).isEqualTo("readonlypolicy");
    assertThat(names.get("shortNames").get(0).asText()).isEqualTo("rop");
    JsonNode version = crd.at("/spec/versions/0");
    assertThat(version.get("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
    List<String> columns = new ArrayList<>();
    version.get("additionalPrinterColumns").forEach(c -> columns.add(c.get("name").asText()));
    assertThat(columns).as("kubectl get rop: NAME MODE MATCHED COMPLIANT READY AGE, the rest only with -o wide")
        .containsExactlyElementsOf(PrinterColumnOrder.declaredOrder());
    List<String> standard = new ArrayList<>();
    version.get("additionalPrinterColumns").forEach(c -> {
      if (c.path("priority").asInt(0) == 0) {
        standard.add(c.get("name").asText());
      }
    });
    assertThat(standard).containsExactly("Mode", "Matched", "Compliant", "Ready", "Age");
  }

  @Test
  void schemaValidatesWhatItCan() throws IOException {
    JsonNode spec = Manifests.parse(Files.readString(CHECKED_IN), JsonNode.class)
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    assertThat(spec.at("/properties/mode/enum").toString()).contains("Enforce", "Audit");
    assertThat(spec.at("/properties/tmpPaths/maxItems").asInt()).isEqualTo(32);
    assertThat(spec.at("/properties/tmpPaths/items/pattern").asText()).startsWith("^(/");
    assertThat(spec.at("/properties/cachePaths/x-kubernetes-validations").size()).isEqualTo(1);
    assertThat(spec.at("/properties/sizeLimit/pattern").asText()).contains("Mi");
    assertThat(spec.at("/x-kubernetes-validations").size()).as("the 32-path limit, no tmp/cache overlap, no seeded "
        + "path that is also a tmp or cache path").isEqualTo(3);
    assertThat(spec.at("/properties/seedPaths/x-kubernetes-validations").size()).as("path syntax, no system tree")
        .isEqualTo(2);
    assertThat(spec.at("/properties/seed/properties/method/enum").toString()).contains("Auto", "Copy", "ImageVolume");
  }
}
