package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.PrometheusServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real API server {@link HelmChartE2E} talks to, through kubectl and helm: the kubeconfig of
 * the end-to-end suite's control plane ({@code src/test/cluster/cluster up} prints it), given by
 * the system property {@code rootlock.e2e.kubeconfig} or the environment variable
 * {@code ROOTLOCK_E2E_KUBECONFIG}. Without either, a test using it is skipped.
 */
record ChartCluster(Path kubeconfig) {

  static ChartCluster fromEnvironment() {
    String path = System.getProperty("rootlock.e2e.kubeconfig", System.getenv("ROOTLOCK_E2E_KUBECONFIG"));
    assumeTrue(path != null && !path.isBlank(),
        "no cluster: set -Drootlock.e2e.kubeconfig (or ROOTLOCK_E2E_KUBECONFIG) to the kubeconfig "
            + "src/test/cluster/cluster up prints");
    return new ChartCluster(Path.of(path));
  }

  /** kubectl with these arguments and {@code input} on its standard input. */
  HelmChart.Result kubectl(String input, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(PrometheusServer.binary("kubectl").toString(),
        "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return HelmChart.exec(new ProcessBuilder(command), input);
  }

  /** kubectl that must succeed; returns its standard output. */
  String kubectlOk(String input, String... args) throws Exception {
    HelmChart.Result r = kubectl(input, args);
    assertThat(r.exit()).as("kubectl " + String.join(" ", args) + ": " + r.err() + r.out()).isZero();
    return r.out();
  }

  /** helm against this cluster; must succeed. */
  String helmOk(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    HelmChart.Result r = HelmChart.run(all);
    assertThat(r.exit()).as("helm " + String.join(" ", args) + ": " + r.err() + r.out()).isZero();
    return r.out();
  }

  /**
   * Whether the API server's authorizer lets the chart's ServiceAccount ({@code rootlock-operator}
   * in {@code releaseNamespace}) do this: a SubjectAccessReview, which, unlike {@code kubectl auth
   * can-i}, names the API group even of a resource the server does not serve (the report APIs).
   *
   * @param resource {@code resource[/subresource]}
   * @param name an object's name, or empty for any
   * @param namespace where, or empty for every namespace
   */
  boolean operatorCan(String releaseNamespace, String verb, String group, String resource, String name,
      String namespace) throws Exception {
    String[] sub = resource.split("/", 2);
    ObjectNode review = JsonNodeFactory.instance.objectNode().put("apiVersion", "authorization.k8s.io/v1")
        .put("kind", "SubjectAccessReview");
    ObjectNode spec = review.putObject("spec")
        .put("user", "system:serviceaccount:" + releaseNamespace + ":rootlock-operator");
    spec.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:" + releaseNamespace)
        .add("system:authenticated");
    spec.putObject("resourceAttributes").put("verb", verb).put("group", group).put("resource", sub[0])
        .put("subresource", sub.length == 2 ? sub[1] : "").put("name", name).put("namespace", namespace);
    JsonNode answer = Manifests.parse(kubectlOk(review.toString(), "create", "-f", "-", "-o", "json"), JsonNode.class);
    return answer.at("/status/allowed").asBoolean();
  }

  /** Creates the namespaces that do not exist yet. */
  void namespaces(String... names) throws Exception {
    StringBuilder yaml = new StringBuilder();
    for (String n : names) {
      yaml.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: ").append(n).append("}\n---\n");
    }
    kubectlOk(yaml.toString(), "apply", "-f", "-");
  }

  /** Deletes namespaces without waiting for their contents to go. */
  void deleteNamespaces(String... names) throws Exception {
    // waits until they are gone: a later class's operator, watching every namespace, must not find
    // a policy or workload of these half-deleted (it would harden them and count in its requests)
    List<String> args = new ArrayList<>(List.of("delete", "namespace", "--ignore-not-found", "--wait=true",
        "--timeout=180s"));
    args.addAll(List.of(names));
    kubectlOk("", args.toArray(String[]::new));
  }

  /** The objects of {@code objects} that exist on the server, as it has them, by {@link #id}. */
  Map<String, JsonNode> existing(List<JsonNode> objects) throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    if (objects.isEmpty()) {
      return out;
    }
    String json = kubectlOk(list(objects), "get", "-f", "-", "--ignore-not-found", "-o", "json");
    if (json.isBlank()) {
      return out; // none exists
    }
    JsonNode got = Manifests.parse(json, JsonNode.class);
    // one object comes back as itself, several as a List
    for (JsonNode o : got.has("items") ? got.get("items") : List.of(got)) {
      out.put(id(o), o);
    }
    return out;
  }

  /** Kind, namespace (when it has one) and name: what identifies an object on the server. */
  static String id(JsonNode o) {
    String namespace = o.at("/metadata/namespace").asText("");
    return o.path("kind").asText() + " " + (namespace.isEmpty() ? "" : namespace + "/")
        + o.at("/metadata/name").asText();
  }

  /** The objects as one JSON {@code List}, which kubectl reads from standard input. */
  static String list(List<JsonNode> objects) {
    ObjectNode list = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "List");
    ArrayNode items = list.putArray("items");
    objects.forEach(items::add);
    return list.toString();
  }
}
