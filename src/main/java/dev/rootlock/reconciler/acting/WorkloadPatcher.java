package dev.rootlock.reconciler.acting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/**
 * Writes the difference between a workload as read and as desired, as one JSON Patch. Rootlock
 * changes two places only, the annotations and the pod template; the ops are diffs of exactly
 * those, the template's prefixed with where the kind keeps it ({@code /spec/template},
 * {@code /spec/jobTemplate/spec/template}), so the patch names the changed fields and nothing else.
 *
 * <p>JSON Patch because it is the one patch type every API server (and the test mock) applies
 * exactly. The patch first sets metadata.resourceVersion to the value it was computed from, which
 * the API server treats as a precondition: if anyone wrote the workload in between it answers 409
 * Conflict and writes nothing, so index-based list ops are never applied to a list that moved. (A
 * JSON Patch {@code test} op would say the same, but not every server answers it cleanly.)
 */
public final class WorkloadPatcher {
  private final KubernetesClient client;

  public WorkloadPatcher(KubernetesClient client) {
    this.client = client;
  }

  /** The ops that give {@code current} this template and these annotations; empty when it has them. */
  public ArrayNode diff(Workload current, PodTemplateSpec template, Map<String, String> annotations) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    // ObjectMeta serialises an empty map as absent, as the server stores it: no op for "none" vs "{}"
    prefixed(ops, "/metadata", JsonPatches.diff(annotationsOnly(current.annotations()), annotationsOnly(annotations)));
    prefixed(ops, current.kind().templatePointer(), JsonPatches.diff(current.template(), template));
    return ops;
  }

  /** Sends {@code ops} conditional on {@code current}'s resourceVersion; returns the stored object. */
  Workload patch(Workload current, ArrayNode ops) {
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion").put("value",
        current.resourceVersion());
    patch.addAll(ops);
    PatchContext ctx = new PatchContext.Builder()
        .withPatchType(PatchType.JSON)
        .withFieldManager(Annotations.FIELD_MANAGER)
        .build();
    return current.with(send(current.kind().type(), current, ctx, patch.toString()));
  }

  private <T extends HasMetadata> T send(Class<T> type, Workload current, PatchContext ctx, String patch) {
    // resource(...), not withName(): fabric8 would GET the object first to address the patch. And a
    // bare object with the name, not the workload as read: fabric8 copies (serialises and reads
    // back) the object it is given, and the name is all a JSON Patch needs.
    T target;
    try {
      target = type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type + " has no public no-argument constructor", e);
    }
    target.setMetadata(new ObjectMeta());
    target.getMetadata().setName(current.name());
    target.getMetadata().setNamespace(current.namespace());
    return client.resources(type).inNamespace(current.namespace()).resource(target).patch(ctx, patch);
  }

  /** A fresh read, bypassing the informer cache, after a conflict; null when it is gone. */
  Workload read(Workload w) {
    HasMetadata fresh = client.resources(w.kind().type()).inNamespace(w.namespace()).withName(w.name()).get();
    return fresh == null ? null : w.with(fresh);
  }

  private static ObjectMeta annotationsOnly(Map<String, String> annotations) {
    ObjectMeta m = new ObjectMeta();
    m.setAnnotations(annotations);
    return m;
  }

  private static void prefixed(ArrayNode out, String prefix, ArrayNode ops) {
    for (JsonNode op : ops) {
      ObjectNode copy = op.deepCopy();
      copy.put("path", prefix + op.get("path").asText());
      out.add(copy);
    }
  }
}
