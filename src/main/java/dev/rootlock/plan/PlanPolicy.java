package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * A ReadOnlyPolicy read from a file, validated exactly as the operator validates it. A policy
 * without a namespace is in {@code default}, as {@code kubectl apply} would put it.
 *
 * @param doc the document it was read from, as written (its namespace not filled in); null when
 *     it was not read from a file
 */
public record PlanPolicy(ReadOnlyPolicy policy, PolicyRules rules, SourceDocument doc) {
  public static final String DEFAULT_NAMESPACE = "default";

  public PlanPolicy(ReadOnlyPolicy policy, PolicyRules rules) {
    this(policy, rules, null);
  }

  /** "policy.yaml:3", or the policy's name when it was not read from a file. */
  public String location() {
    return doc == null ? namespace() + "/" + name() : doc.source() + ":" + doc.line();
  }

  public String name() {
    return policy.getMetadata().getName();
  }

  public String namespace() {
    return policy.getMetadata().getNamespace();
  }

  /** Every ReadOnlyPolicy document of a policy file; anything else in it is an error. */
  public static List<PlanPolicy> load(List<SourceDocument> docs) throws PlanInputException {
    List<PlanPolicy> policies = new ArrayList<>();
    for (SourceDocument doc : docs) {
      if (doc.node() == null) {
        continue;
      }
      JsonNode n = doc.node();
      String kind = n.path("kind").asText();
      String apiVersion = n.path("apiVersion").asText();
      if (!kind.equals("ReadOnlyPolicy") || !apiVersion.equals(ReadOnlyPolicy.GROUP + "/" + ReadOnlyPolicy.VERSION)) {
        throw new PlanInputException(doc.source(), doc.line(), "expected a ReadOnlyPolicy (apiVersion "
            + ReadOnlyPolicy.GROUP + "/" + ReadOnlyPolicy.VERSION + "), found " + apiVersion + " " + kind);
      }
      ReadOnlyPolicy policy;
      YamlLines lines = new YamlLines(doc);
      try {
        policy = JsonPatches.SERIALIZATION.convertValue(n, ReadOnlyPolicy.class);
      } catch (IllegalArgumentException e) {
        throw FieldErrors.error(e, lines, FieldPath.of(), "invalid ReadOnlyPolicy");
      }
      if (policy.getMetadata() == null || policy.getMetadata().getName() == null) {
        throw new PlanInputException(doc.source(), doc.line(), "invalid ReadOnlyPolicy: metadata.name is required");
      }
      ObjectMeta meta = policy.getMetadata();
      if (meta.getNamespace() == null) {
        meta.setNamespace(DEFAULT_NAMESPACE);
      }
      PolicyRules.Validation v = PolicyRules.from(policy.getSpec());
      if (!v.isValid()) {
        // the line of the first field named: where the user starts fixing
        throw new PlanInputException(doc.source(), lines.lineOf(FieldPath.parse(v.errors().get(0).field())),
            "invalid ReadOnlyPolicy " + meta.getName() + ": " + v.describeErrors());
      }
      policies.add(new PlanPolicy(policy, v.rules(), doc));
    }
    if (policies.isEmpty()) {
      throw new PlanInputException(docs.isEmpty() ? "policy" : docs.get(0).source(), 0,
          "no ReadOnlyPolicy found");
    }
    return policies;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.toString() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
