package dev.rootlock.reconciler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.rootlock.api.Annotations;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Writes the difference between a Deployment as read and as desired, as one JSON Patch.
 *
 * <p>JSON Patch because it is the one patch type every API server (and the test mock) applies
 * exactly: the ops name precisely the fields that change and nothing else. The patch first sets
 * metadata.resourceVersion to the value it was computed from, which the API server treats as a
 * precondition: if anyone wrote the Deployment in between it answers 409 Conflict and writes
 * nothing, so index-based list ops are never applied to a list that moved. (A JSON Patch
 * {@code test} op would say the same, but not every server answers it cleanly.)
 */
final class DeploymentPatcher {
  private final KubernetesClient client;

  DeploymentPatcher(KubernetesClient client) {
    this.client = client;
  }

  /** The ops that turn {@code current} into {@code desired}; empty when they are equal. */
  ArrayNode diff(Deployment current, Deployment desired) {
    return JsonPatches.diff(current, desired);
  }

  /** Sends {@code ops} conditional on {@code current}'s resourceVersion; returns the stored object. */
  Deployment patch(Deployment current, ArrayNode ops) {
    String rv = current.getMetadata().getResourceVersion();
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion").put("value", rv);
    patch.addAll(ops);
    PatchContext ctx = new PatchContext.Builder()
        .withPatchType(PatchType.JSON)
        .withFieldManager(Annotations.FIELD_MANAGER)
        .build();
    // resource(current), not withName(): fabric8 would GET the object first to address the patch
    return client.apps().deployments()
        .inNamespace(current.getMetadata().getNamespace())
        .resource(current)
        .patch(ctx, patch.toString());
  }

  /** A fresh read, bypassing the informer cache, after a conflict. */
  Deployment read(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }
}
