package dev.rootlock.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.rootlock.api.Annotations;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.rollout.RolloutRecord;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.List;

/**
 * The patches a floor client sends: for each Deployment, the one the operator sends for it —
 * computed by the same engine, with the same annotations (owner, revert and rollout records),
 * pinned to the resourceVersion read — so the floor does the operator's writes and nothing else.
 */
final class FloorPatches {
  private final Hardener hardener = new Hardener();
  private final PolicyRules rules;

  FloorPatches(PolicyRules rules) {
    this.rules = rules;
  }

  /** The JSON Patch that hardens {@code d} as policy "web" would, or null when it needs none. */
  String patch(Deployment d) {
    if (d.getMetadata().getAnnotations() != null && d.getMetadata().getAnnotations().containsKey(Annotations.EXCLUDE)) {
      return null;
    }
    Hardening h = hardener.harden(d.getSpec().getTemplate(), rules, RevertRecord.EMPTY);
    if (!h.changed()) {
      return null;
    }
    Deployment desired = new DeploymentBuilder(d).build();
    desired.getSpec().setTemplate(h.template());
    desired.getMetadata().getAnnotations().put(Annotations.OWNER, "web");
    desired.getMetadata().getAnnotations().put(Annotations.REVERT, h.record().toJson());
    desired.getMetadata().getAnnotations().put(Annotations.ROLLOUT, RolloutRecord.EMPTY
        .started(d.getMetadata().getGeneration() + 1, Instant.now(), 0, List.of()).toJson());
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion")
        .put("value", d.getMetadata().getResourceVersion());
    patch.addAll(JsonPatches.diff(d, desired));
    return patch.toString();
  }
}
