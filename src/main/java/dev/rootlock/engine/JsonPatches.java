package dev.rootlock.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.EnumSet;

/**
 * RFC 6902 patches between two states of an object: only add, remove and replace (no move or
 * copy, which are harder for people and tools to read), each naming exactly one changed field.
 */
public final class JsonPatches {
  private static final EnumSet<DiffFlags> FLAGS =
      EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);
  /** fabric8's Kubernetes-aware Jackson settings, shared so every component reads objects alike. */
  public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private JsonPatches() {}

  /** The ops that turn {@code from} into {@code to}; empty when they serialise equally. */
  public static ArrayNode diff(Object from, Object to) {
    return (ArrayNode) JsonDiff.asJson(tree(from), tree(to), FLAGS);
  }

  /** An object as the API server would see it (fabric8's Kubernetes-aware Jackson settings). */
  public static JsonNode tree(Object o) {
    return o instanceof JsonNode n ? n : SERIALIZATION.convertValue(o, JsonNode.class);
  }
}
