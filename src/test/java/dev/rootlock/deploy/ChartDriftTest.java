package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One install, two ways: the chart and {@code deploy/} must not drift. Each test renders both (the
 * chart with the real helm, {@code deploy/} with {@code kubectl kustomize}) and compares every
 * object field by field, after removing only what Helm adds by design: its four labels
 * ({@link #HELM_LABELS}). The one object without a twin is deploy/'s Namespace (Helm does not
 * manage the release namespace; {@code helm install --create-namespace} makes it). Why a test and
 * not a generator: docs/install.md ("One source of truth").
 */
class ChartDriftTest {
  /** Labels Helm's chart adds to every object it renders, and deploy/ has no reason to carry. */
  static final Set<String> HELM_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by",
      "app.kubernetes.io/instance", "app.kubernetes.io/version");

  @Test
  void defaultValuesInstallWhatDeployInstalls() throws Exception {
    List<JsonNode> deploy = Rendered.deploy().stream().filter(o -> !o.path("kind").asText().equals("Namespace"))
        .toList();
    assertSame(HelmChart.render("--include-crds"), deploy);
  }

  @Test
  void certManagerCertificatesInstallWhatTheComponentInstalls() throws Exception {
    Path overlay = Files.createDirectories(Path.of("target/chart-drift/cert-manager"));
    Files.writeString(overlay.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [../../../deploy]
        components: [../../../deploy/components/cert-manager]
        """);
    List<JsonNode> deploy = Rendered.kustomize(overlay + "/").stream()
        .filter(o -> !o.path("kind").asText().equals("Namespace")).toList();
    assertSame(HelmChart.render("--include-crds", "--set", "webhook.certificates=cert-manager"), deploy);
  }

  @Test
  void monitoringInstallsWhatDeployMonitoringInstalls() throws Exception {
    List<JsonNode> chart = HelmChart.render("--set", "monitoring.serviceMonitor.enabled=true",
        "--set", "monitoring.prometheusRule.enabled=true", "--set", "monitoring.grafanaDashboard.enabled=true")
        .stream().filter(o -> Set.of("ServiceMonitor", "PrometheusRule", "ConfigMap").contains(o.path("kind").asText()))
        .toList();
    assertThat(chart).hasSize(3);
    assertSame(chart, Rendered.kustomize("deploy/monitoring/"));
  }

  /** The same objects, by kind, namespace and name, and in each the same fields. */
  private static void assertSame(List<JsonNode> chart, List<JsonNode> deploy) {
    Map<String, JsonNode> fromChart = byIdentity(chart);
    Map<String, JsonNode> fromDeploy = byIdentity(deploy);
    assertThat(fromChart.keySet()).as("the objects the chart renders, next to deploy/'s")
        .containsExactlyElementsOf(fromDeploy.keySet());
    List<String> differences = new ArrayList<>();
    fromChart.forEach((id, object) -> FieldDiff.of(withoutHelmLabels(object), withoutPackagingOfTheCrd(
        fromDeploy.get(id))).forEach(d -> differences.add(id + " " + d)));
    assertThat(differences).as("fields in which the chart and deploy/ differ (change both, or the chart's copy of "
        + "a file: docs/install.md, One source of truth)").isEmpty();
  }

  private static Map<String, JsonNode> byIdentity(List<JsonNode> objects) {
    Map<String, JsonNode> out = new TreeMap<>();
    for (JsonNode o : objects) {
      String id = o.path("kind").asText() + " " + (o.at("/metadata/namespace").isMissingNode() ? ""
          : o.at("/metadata/namespace").asText() + "/") + o.at("/metadata/name").asText();
      assertThat(out.put(id, o)).as("rendered twice: " + id).isNull();
    }
    return out;
  }

  private static JsonNode withoutHelmLabels(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    JsonNode labels = copy.at("/metadata/labels");
    if (labels.isObject()) {
      ((ObjectNode) labels).remove(HELM_LABELS);
      if (labels.isEmpty()) {
        ((ObjectNode) copy.get("metadata")).remove("labels");
      }
    }
    return copy;
  }

  /**
   * Helm installs the chart's crds/ as they are (no templating, so no labels); kustomize adds
   * deploy/'s labels to the CRD it includes. Everything else of the CRD must be equal.
   */
  private static JsonNode withoutPackagingOfTheCrd(JsonNode object) {
    if (!object.path("kind").asText().equals("CustomResourceDefinition")) {
      return object;
    }
    ObjectNode copy = object.deepCopy();
    ((ObjectNode) copy.get("metadata")).remove("labels");
    return copy;
  }
}
