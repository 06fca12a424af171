package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.RevertRecord;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans manifests offline with the same engine, validation, selection, exclusion and ownership
 * rules as the operator. Only the pod template changes: plan output is meant for Git, where the
 * history is the revert record, so no Rootlock annotations are added.
 */
public final class Planner {
  private final Hardener hardener = new Hardener();
  private final List<PlanPolicy> policies;

  public Planner(List<PlanPolicy> policies) {
    this.policies = List.copyOf(policies);
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
    if ("List".equals(node.path("kind").asText()) && node.path("items").isArray()) {
      for (int i = 0; i < node.get("items").size(); i++) {
        planWorkload(doc, "/items/" + i, node.get("items").get(i), workloads);
      }
    } else {
      planWorkload(doc, "", node, workloads);
    }
    JsonNode planned = null;
    for (WorkloadPlan w : workloads) {
      if (w.changes()) {
        planned = planned == null ? node.deepCopy() : planned;
        if (w.pointer().isEmpty()) {
          planned = w.planned().deepCopy();
        } else {
          ((ArrayNode) planned.get("items")).set(Integer.parseInt(w.pointer().substring(7)), w.planned().deepCopy());
        }
      }
    }
    return new Plan.DocumentPlan(doc, planned, workloads);
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
    String name = d.getMetadata().getName();
    Map<String, String> labels = d.getMetadata().getLabels();
    ArrayNode none = JsonNodeFactory.instance.arrayNode();

    List<PlanPolicy> selecting = policies.stream()
        .filter(p -> namespace == null || namespace.equals(p.namespace()))
        .filter(p -> LabelSelectors.matches(p.rules().selector(), labels))
        .toList();
    if (selecting.isEmpty()) {
      out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, null, WorkloadPlan.NOT_SELECTED,
          "", none, node, node));
      return;
    }
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    if (annotations != null && "true".equalsIgnoreCase(annotations.get(Annotations.EXCLUDE))) {
      for (PlanPolicy p : selecting) {
        out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, p.name(),
            WorkloadState.Excluded.name(), "annotated " + Annotations.EXCLUDE + "=true", none, node, node));
      }
      return;
    }
    List<ReadOnlyPolicy> enforcing = selecting.stream()
        .filter(p -> p.rules().mode() == Mode.Enforce).map(PlanPolicy::policy).toList();
    ReadOnlyPolicy owner = Ownership.ownerAmong(d, enforcing).orElse(null);
    for (PlanPolicy p : selecting) {
      boolean audit = p.rules().mode() == Mode.Audit;
      if (!audit && p.policy() != owner) {
        out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, p.name(),
            WorkloadState.Conflict.name(), "owned by policy " + owner.getMetadata().getNamespace() + "/"
                + owner.getMetadata().getName(), none, node, node));
        continue;
      }
      if (d.getSpec() == null || d.getSpec().getTemplate() == null) {
        out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, p.name(),
            WorkloadState.Compliant.name(), "no pod template", none, node, node));
        continue;
      }
      Hardening h = hardener.harden(d.getSpec().getTemplate(), p.rules(), RevertRecord.EMPTY);
      ArrayNode ops = prefixed(JsonPatches.diff(d.getSpec().getTemplate(), h.template()), "/spec/template");
      if (ops.isEmpty()) {
        out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, p.name(),
            WorkloadState.Compliant.name(), h.notes(), none, node, node));
      } else if (audit) {
        out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, p.name(),
            WorkloadState.NonCompliant.name(), "would change (Audit: not applied): " + h.changeSummary(),
            none, node, node));
      } else {
        // The ops come from the typed model but are applied to the node as written, so fields the
        // model would reformat (quantities, int-or-strings) stay exactly as the author wrote them.
        JsonNode planned = JsonPatch.apply(ops, node);
        out.add(new WorkloadPlan(doc, pointer, "Deployment", namespace, name, p.name(),
            WorkloadState.NonCompliant.name(), h.changeSummary(), ops, node, planned));
      }
    }
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
