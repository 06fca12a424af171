package dev.rootlock.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** AdmissionReview responses: always allowed, with a JSONPatch or without. */
final class Responses {
  private Responses() {}

  /** {@code allowed: true}, with {@code patch} (a JSON Patch array) when not null or empty. */
  static ObjectNode allow(JsonNode request, JsonNode patch) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("uid", request.path("uid").asText());
    r.put("allowed", true);
    if (patch != null && !patch.isEmpty()) {
      r.put("patchType", "JSONPatch");
      r.put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return r;
  }
}
