package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.rootlock.api.WorkloadState;
import io.fabric8.zjsonpatch.JsonPatch;

/**
 * One workload as a manifest holds it: where it is, what it is called, and its node as written.
 *
 * @param kind its kind ("Deployment"), or {@link ComposePlanner#KIND} for a Compose service
 */
record ManifestWorkload(SourceDocument doc, int line, String pointer, String kind, String namespace, String name,
    JsonNode node) {
  private static final ArrayNode NONE = JsonNodeFactory.instance.arrayNode();

  /** Its plan under {@code policy} (null for none) when nothing in it changes. */
  WorkloadPlan unchanged(String policy, String state, String summary) {
    return new WorkloadPlan(doc, line, pointer, kind, namespace, name, policy, state, summary, NONE, node, node);
  }

  /** Its plan under {@code policy} with the change {@code ops} makes. */
  WorkloadPlan changed(String policy, String summary, ArrayNode ops) {
    return new WorkloadPlan(doc, line, pointer, kind, namespace, name, policy, WorkloadState.NonCompliant.name(),
        summary, ops, node, JsonPatch.apply(ops, node));
  }
}
