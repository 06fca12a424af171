package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import java.util.Optional;

/**
 * Workloads plan does not harden, found so that they are listed rather than passed over: a CI gate
 * that prints "nothing to change" for a file it never looked at would be worse than none. A
 * document is taken for a workload when it holds a pod spec: somewhere below it, a {@code
 * containers} list of objects with an {@code image} (a ReplicaSet, an Argo Rollout, a Knative
 * Service, a Tekton Task...).
 */
final class NotCovered {
  private static final int MAX_DEPTH = 8;
  /** Known kinds, with what to use instead. */
  private static final Map<String, String> ADVICE = Map.of(
      "ReplicaSet", "a ReplicaSet is meant to be made by a Deployment: harden a Deployment instead",
      "ReplicationController", "use a Deployment, which Rootlock hardens",
      "PodTemplate", "Rootlock hardens the workloads that create pods, not stored templates");

  private NotCovered() {}

  /** Why plan does not harden this document when it holds a pod spec; empty when it holds none. */
  static Optional<String> reason(JsonNode node) {
    String kind = node.path("kind").asText();
    if (!holdsPodSpec(node, 0)) {
      return Optional.empty();
    }
    String advice = ADVICE.getOrDefault(kind, "Rootlock does not know where " + kind + " ("
        + node.path("apiVersion").asText() + ") keeps its pod template; harden it by hand");
    return Optional.of(advice);
  }

  static WorkloadPlan plan(SourceDocument doc, int line, String pointer, JsonNode node, String why) {
    String namespace = node.at("/metadata/namespace").isTextual() ? node.at("/metadata/namespace").asText() : null;
    String name = node.at("/metadata/name").asText("?");
    return new WorkloadPlan(doc, line, pointer, node.path("kind").asText("?"), namespace, name, null,
        WorkloadPlan.NOT_COVERED, why, JsonNodeFactory.instance.arrayNode(), node, node);
  }

  private static boolean holdsPodSpec(JsonNode node, int depth) {
    if (depth > MAX_DEPTH || !node.isContainerNode()) {
      return false;
    }
    JsonNode containers = node.get("containers");
    if (node.isObject() && containers != null && containers.isArray() && containers.size() > 0
        && containers.get(0).isObject() && containers.get(0).has("image")) {
      return true;
    }
    for (JsonNode child : node) {
      if (holdsPodSpec(child, depth + 1)) {
        return true;
      }
    }
    return false;
  }
}
