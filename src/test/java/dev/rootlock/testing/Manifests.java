package dev.rootlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.engine.PolicyRules;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** YAML in, model objects out, and JSON trees for exact comparisons in tests. */
public final class Manifests {
  public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Parses YAML (flow style too, which fabric8's unmarshal would take for JSON). */
  public static <T> T parse(String yaml, Class<T> type) {
    try {
      return SERIALIZATION.convertValue(YAML.readTree(yaml), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static PodTemplateSpec template(String yaml) {
    return parse(yaml, PodTemplateSpec.class);
  }

  public static PolicyRules rules(String specYaml) {
    PolicyRules.Validation v = PolicyRules.from(parse(specYaml, ReadOnlyPolicySpec.class));
    if (!v.isValid()) {
      throw new IllegalArgumentException("test spec is invalid: " + v.describeErrors());
    }
    return v.rules();
  }

  public static JsonNode tree(Object o) {
    return SERIALIZATION.convertValue(o, JsonNode.class);
  }
}
