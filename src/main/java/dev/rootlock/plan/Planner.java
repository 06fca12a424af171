package dev.rootlock.plan;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.decision.EngineAnswer;
import dev.rootlock.decision.Subject;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans manifests offline with the same engine, validation and decision ({@link PlanDecisions},
 * the operator's {@link dev.rootlock.decision.DecisionLadder}) as the operator, for every kind in
 * {@link WorkloadKinds#PLANNED}: the four the operator hardens, and Jobs and Pods, which a manifest
 * can still change. Only the pod template changes:
 * plan output is meant for Git, where the history is the revert record, so no Rootlock
 * annotations are added. A workload kind it does not know is listed as not covered, never passed
 * over as fine. Docker Compose files are planned by {@link ComposePlanner} with the same rules.
 */
public final class Planner {
  private final Hardener hardener;
  private final List<PlanPolicy> policies;
  private final ComposePlanner compose;

  private final Map<PlanPolicy, Integer> selected = new IdentityHashMap<>();

  /** A planner for a cluster whose image-volume support is unknown: seed.method Auto means Copy. */
  public Planner(List<PlanPolicy> policies) {
    this(policies, SeedPlatform.DEFAULT);
  }

  /** @param seeding what the target cluster offers seeding; the operator there must see the same to agree */
  public Planner(List<PlanPolicy> policies, SeedPlatform seeding) {
    this.hardener = new Hardener(seeding);
    this.policies = List.copyOf(policies);
    this.compose = new ComposePlanner(this.policies, this::count);
  }

  public Plan plan(List<SourceDocument> docs) throws PlanInputException {
    List<Plan.DocumentPlan> out = new ArrayList<>();
    for (SourceDocument doc : docs) {
      out.add(planDocument(doc));
    }
    return new Plan(out, policies.stream().map(p -> new Plan.PolicyUse(p, selected.getOrDefault(p, 0))).toList());
  }

  /** Counts one more workload for a policy that selects it. */
  private void count(PlanPolicy selecting) {
    selected.merge(selecting, 1, Integer::sum);
  }

  private Plan.DocumentPlan planDocument(SourceDocument doc) throws PlanInputException {
    JsonNode node = doc.node();
    if (node == null || !node.isObject()) {
      return new Plan.DocumentPlan(doc, null, List.of(), doc.text(), null);
    }
    List<WorkloadPlan> workloads = new ArrayList<>();
    if (ComposeYaml.isCompose(node)) {
      workloads.addAll(compose.plan(doc));
    } else if ("List".equals(node.path("kind").asText()) && node.path("items").isArray()) {
      YamlLines lines = new YamlLines(doc);
      for (int i = 0; i < node.get("items").size(); i++) {
        int line = lines.lineOf(FieldPath.of("items").index(i));
        planWorkload(doc, line, "/items/" + i, node.get("items").get(i), workloads);
      }
    } else {
      planWorkload(doc, doc.line(), "", node, workloads);
    }
    JsonNode planned = null;
    for (WorkloadPlan w : workloads) {
      if (w.changes()) {
        planned = replace(planned == null ? node.deepCopy() : planned, w.pointer(), w.planned().deepCopy());
      }
    }
    if (planned == null) {
      return new Plan.DocumentPlan(doc, null, workloads, doc.text(), null);
    }
    DocumentEdit edit = DocumentEdit.of(doc, planned, workloads);
    return new Plan.DocumentPlan(doc, planned, workloads, edit.text(), edit.rewritten());
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

  private void planWorkload(SourceDocument doc, int line, String pointer, JsonNode node, List<WorkloadPlan> out)
      throws PlanInputException {
    if (!node.isObject()) {
      return;
    }
    Optional<WorkloadKind<?>> known = kindOf(node);
    if (known.isEmpty()) {
      NotCovered.reason(node).ifPresent(why -> out.add(NotCovered.plan(doc, line, pointer, node, why)));
      return;
    }
    WorkloadKind<?> kind = known.get();
    Workload w = read(doc, line, pointer, node, kind);
    ManifestWorkload workload = new ManifestWorkload(doc, line, pointer, kind.kind(), w.namespace(),
        w.name(), node);
    if (kind.yieldsToOwner() && w.controller().isPresent()) {
      var owner = w.controller().get();
      out.add(workload.unchanged(null, WorkloadPlan.NOT_COVERED, "owned by " + owner.getKind() + " "
          + owner.getName() + ": Rootlock never changes what a controller made (the controller would undo it); "
          + "harden the workload that defines its template"));
      return;
    }
    List<PlanPolicy> inScope = policies.stream()
        .filter(p -> w.namespace() == null || w.namespace().equals(p.namespace()))
        .toList();
    // plan changes every manifest it reads: a Job's too, which the operator only reports
    PlanDecisions.decide(workload, Subject.of(w, true), inScope, rules -> harden(w, rules), this::count, out);
  }

  private static Workload read(SourceDocument doc, int line, String pointer, JsonNode node, WorkloadKind<?> kind)
      throws PlanInputException {
    HasMetadata o;
    try {
      o = JsonPatches.SERIALIZATION.convertValue(node, kind.type());
    } catch (IllegalArgumentException e) {
      FieldPath at = pointer.isEmpty() ? FieldPath.of()
          : FieldPath.of("items").index(Integer.parseInt(pointer.substring("/items/".length())));
      throw FieldErrors.error(e, new YamlLines(doc), at, "not a valid " + kind.kind());
    }
    if (o.getMetadata() == null || o.getMetadata().getName() == null || o.getMetadata().getName().isBlank()) {
      throw new PlanInputException(doc.source(), line, "a " + kind.kind() + " needs metadata.name");
    }
    return new Workload(kind, o);
  }

  private PlannedChange harden(Workload w, PolicyRules rules) {
    PodTemplateSpec template = w.template();
    if (template == null) {
      return new PlannedChange(JsonNodeFactory.instance.arrayNode(), "", "no pod template",
          new EngineAnswer(false, false, List.of()));
    }
    Hardening h = hardener.harden(template, rules, RevertRecord.EMPTY);
    // The ops come from the typed model but are applied to the node as written, so fields the
    // model would reformat (quantities, int-or-strings) stay exactly as the author wrote them.
    ArrayNode ops = prefixed(JsonPatches.diff(template, h.template()), w.kind().templatePointer());
    return new PlannedChange(ops, h.changeSummary(), PlanWarnings.notes(template, rules, h),
        new EngineAnswer(!ops.isEmpty(), h.skipped(), h.warnings()), PlanWarnings.of(template, rules, h));
  }

  private static Optional<WorkloadKind<?>> kindOf(JsonNode node) {
    return WorkloadKinds.of(node.path("apiVersion").asText(null), node.path("kind").asText());
  }

  /** Whether plan hardens this document's kind (and so may change it). */
  static boolean isWorkload(JsonNode node) {
    return node.isObject() && kindOf(node).isPresent();
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
