package dev.rootlock.plan;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans manifests offline with the same engine, validation, selection, exclusion and ownership
 * rules as the operator. Only the pod template changes: plan output is meant for Git, where the
 * history is the revert record, so no Rootlock annotations are added. Docker Compose files are
 * planned by {@link ComposePlanner} with the same rules.
 */
public final class Planner {
  private final Hardener hardener = new Hardener();
  private final List<PlanPolicy> policies;
  private final ComposePlanner compose;

  public Planner(List<PlanPolicy> policies) {
    this.policies = List.copyOf(policies);
    this.compose = new ComposePlanner(this.policies);
  }

  public Plan plan(List<SourceDocument> docs) throws PlanInputException {
    List<Plan.DocumentPlan> out = new ArrayList<>();
    for (SourceDocument doc : docs) {
      out.add(planDocument(doc));
    }
    return new Plan(out);
  }

  private Plan.DocumentPlan planDocument(SourceDocument doc) throws PlanInputException {
    JsonNode node = doc.node();
    if (node == null || !node.isObject()) {
      return new Plan.DocumentPlan(doc, null, List.of());
    }
    List<WorkloadPlan> workloads = new ArrayList<>();
    if (ComposeYaml.isCompose(node)) {
      workloads.addAll(compose.plan(doc));
    } else if ("List".equals(node.path("kind").asText()) && node.path("items").isArray()) {
      for (int i = 0; i < node.get("items").size(); i++) {
        planWorkload(doc, "/items/" + i, node.get("items").get(i), workloads);
      }
    } else {
      planWorkload(doc, "", node, workloads);
    }
    JsonNode planned = null;
    for (WorkloadPlan w : workloads) {
      if (w.changes()) {
        planned = replace(planned == null ? node.deepCopy() : planned, w.pointer(), w.planned().deepCopy());
      }
    }
    return new Plan.DocumentPlan(doc, planned, workloads);
  }

  /** {@code root} with the node at {@code pointer} ("" for the root itself) replaced by {@code value}. */
  private static JsonNode replace(JsonNode root, String pointer, JsonNode value) {
    if (pointer.isEmpty()) {
      return value;
    }
    JsonPointer at = JsonPointer.compile(pointer);
    JsonNode parent = root.at(at.head());
    String last = at.last().getMatchingProperty();
    if (parent instanceof ArrayNode list) {
      list.set(Integer.parseInt(last), value);
    } else {
      ((ObjectNode) parent).set(last, value);
    }
    return root;
  }

  private void planWorkload(SourceDocument doc, String pointer, JsonNode node, List<WorkloadPlan> out)
      throws PlanInputException {
    if (!isDeployment(node)) {
      return;
    }
    Deployment d;
    try {
      d = JsonPatches.SERIALIZATION.convertValue(node, Deployment.class);
    } catch (IllegalArgumentException e) {
      throw new PlanInputException(doc.source(), doc.line(), "not a valid Deployment: " + PlanPolicy.rootMessage(e));
    }
    if (d.getMetadata() == null || d.getMetadata().getName() == null || d.getMetadata().getName().isBlank()) {
      throw new PlanInputException(doc.source(), doc.line(), "a Deployment needs metadata.name");
    }
    String namespace = d.getMetadata().getNamespace();
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    boolean excluded = annotations != null && "true".equalsIgnoreCase(annotations.get(Annotations.EXCLUDE));
    List<PlanPolicy> selecting = policies.stream()
        .filter(p -> namespace == null || namespace.equals(p.namespace()))
        .filter(p -> LabelSelectors.matches(p.rules().selector(), d.getMetadata().getLabels()))
        .toList();
    Decisions.Workload workload = new Decisions.Workload(doc, doc.line(), pointer, "Deployment", namespace,
        d.getMetadata().getName(), node);
    Decisions.decide(workload, selecting, excluded ? "annotated " + Annotations.EXCLUDE + "=true" : null,
        Ownership.recordedOwner(d), rules -> harden(d, rules), out);
  }

  private Decisions.Outcome harden(Deployment d, PolicyRules rules) {
    PodTemplateSpec template = d.getSpec() == null ? null : d.getSpec().getTemplate();
    if (template == null) {
      return new Decisions.Outcome(JsonNodeFactory.instance.arrayNode(), "", "no pod template");
    }
    Hardening h = hardener.harden(template, rules, RevertRecord.EMPTY);
    // The ops come from the typed model but are applied to the node as written, so fields the
    // model would reformat (quantities, int-or-strings) stay exactly as the author wrote them.
    return new Decisions.Outcome(prefixed(JsonPatches.diff(template, h.template()), "/spec/template"),
        h.changeSummary(), h.notes());
  }

  static boolean isDeployment(JsonNode node) {
    return node.isObject() && "Deployment".equals(node.path("kind").asText())
        && node.path("apiVersion").asText().startsWith("apps/");
  }

  private static ArrayNode prefixed(ArrayNode ops, String prefix) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JsonNode op : ops) {
      ObjectNode copy = op.deepCopy();
      copy.put("path", prefix + op.get("path").asText());
      out.add(copy);
    }
    return out;
  }
}
