package dev.rootlock.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.Exclusion;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.workload.Workload;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the admission webhook does with a workload being created or updated: exactly what the
 * reconcile would write for it (the same exclusion, selection and ownership rules, the same
 * engine, the same owner, revert and rollout records), as one JSON Patch on the object in the
 * request. Decides from the policies an informer holds and the object itself: no API call.
 * Anything it cannot decide is left to the reconcile (no patch), never denied.
 */
public final class Admission {
  private final Hardener hardener;
  private final Function<String, List<ReadOnlyPolicy>> policiesIn;
  private final Clock clock;
  /** Each policy's validated rules, by uid, while its resourceVersion holds: validated once, not per review. */
  private final Map<String, Validated> rules = new java.util.concurrent.ConcurrentHashMap<>();

  private record Validated(String resourceVersion, PolicyRules.Validation validation) {}

  /**
   * @param policiesIn the policies of a namespace, as the webhook's informer holds them
   * @param seeding the same platform the reconcile hardens for, so both write the same seeders
   */
  public Admission(Function<String, List<ReadOnlyPolicy>> policiesIn, Clock clock, SeedPlatform seeding) {
    this.hardener = new Hardener(seeding);
    this.policiesIn = policiesIn;
    this.clock = clock;
  }

  /**
   * @param patch the JSON Patch (relative to the object in the request), empty when nothing changes
   * @param why in words, for logs: what was done or why nothing was
   */
  public record Decision(ArrayNode patch, String why) {
    static Decision none(String why) {
      return new Decision(JsonNodeFactory.instance.arrayNode(), why);
    }
  }

  /**
   * @param w the object as the request carries it (its namespace set from the request)
   * @param raw the same object as JSON, exactly as the request carries it: the patch applies to it
   * @param old the stored object for an UPDATE (as JSON), null for a CREATE
   */
  public Decision decide(Workload w, JsonNode raw, JsonNode old) {
    if ("true".equalsIgnoreCase(w.labels().get(Annotations.EXCLUDE))) {
      return Decision.none("labelled " + Annotations.EXCLUDE + "=true");
    }
    String excluded = Exclusion.reason(w.annotations(), w.template());
    if (excluded != null) {
      return Decision.none(excluded);
    }
    List<ReadOnlyPolicy> policies = policiesIn.apply(w.namespace());
    List<ReadOnlyPolicy> selecting = new ArrayList<>();
    for (ReadOnlyPolicy p : policies) {
      PolicyRules.Validation v = validated(p);
      if (v.isValid() && v.rules().mode() == Mode.Enforce && p.getMetadata().getDeletionTimestamp() == null
          && w.kind().isSelectedBy(v.rules()) && LabelSelectors.matches(v.rules().selector(), w.labels())) {
        selecting.add(p);
      }
    }
    if (selecting.isEmpty()) {
      return Decision.none("no enforcing policy selects it");
    }
    ReadOnlyPolicy first = selecting.get(0);
    String recorded = dev.rootlock.engine.Ownership.recordedOwner(w.object());
    String owner;
    if (selecting.size() == 1 && (recorded == null || recorded.equals(first.getMetadata().getName()))) {
      owner = first.getMetadata().getName(); // the common case: one policy, nothing recorded against it
    } else {
      // a recorded owner the informer does not know is not guessed at: the reconcile asks the API server
      owner = new Neighbours(first, policies.stream().filter(p -> p != first).toList(), name -> true).ownerOf(w);
    }
    ReadOnlyPolicy policy = selecting.stream().filter(p -> p.getMetadata().getName().equals(owner)).findFirst()
        .orElse(null);
    if (policy == null) {
      return Decision.none("owned by policy " + owner + ", which does not harden it now");
    }
    return harden(w, raw, old, policy);
  }

  private PolicyRules.Validation validated(ReadOnlyPolicy p) {
    String rv = p.getMetadata().getResourceVersion();
    Validated known = rules.get(p.getMetadata().getUid());
    if (known != null && rv != null && rv.equals(known.resourceVersion())) {
      return known.validation();
    }
    PolicyRules.Validation v = PolicyRules.from(p.getSpec());
    if (p.getMetadata().getUid() != null) {
      rules.put(p.getMetadata().getUid(), new Validated(rv, v));
    }
    return v;
  }

  private Decision harden(Workload w, JsonNode raw, JsonNode old, ReadOnlyPolicy policy) {
    String name = policy.getMetadata().getName();
    PolicyRules rules = validated(policy).rules();
    RevertRecord prior;
    try {
      prior = RevertRecord.parse(w.annotation(Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return Decision.none("its revert record cannot be trusted: " + e.getMessage());
    }
    String text = w.annotation(Annotations.ROLLOUT);
    RolloutRecord rollout = text == null ? RolloutRecord.EMPTY : RolloutRecord.parse(text);
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    long policyGeneration = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    Hardening h = hardener.harden(w.template(), rules.withLearnedPaths(rollout.learned(), rollout.seeded()), prior);
    if (h.skipped()) {
      return Decision.none("not hardened: memory risk (spec.onMemoryRisk: Skip)");
    }
    RolloutRecord next;
    JsonNode template = h.changed() ? JsonPatches.tree(h.template()) : null;
    if (h.changed()) {
      long generation = generationAfter(w, raw, old, template);
      if (rb != null && rb.holds(name, policyGeneration, generation, w.template())) {
        return Decision.none("rolled back; not retried until the policy spec or the pod template changes");
      }
      next = w.uptake().isFollowed() ? rollout.started(generation, clock.instant(), 0, rollout.learned())
          : new RolloutRecord(null, null, 0, rollout.learned(), null, rollout.corrections(), rollout.seeded());
    } else {
      next = rb == null ? rollout : rollout.rolledBack(null);
    }
    Map<String, String> annotations = RootlockAnnotations.desired(w, h.record(), name, next);
    ObjectNode after = withTemplate(w, raw, template);
    ObjectNode meta = after.with("metadata");
    if (annotations.isEmpty()) {
      meta.remove("annotations");
    } else {
      meta.set("annotations", JsonPatches.tree(new java.util.TreeMap<>(annotations)));
    }
    ArrayNode patch = JsonPatches.diff(raw, after);
    return new Decision(patch, patch.isEmpty() ? "compliant" : "hardened for policy " + name + ": "
        + h.changeSummary());
  }

  /** A copy of the object with {@code template} (when not null) at its kind's pointer. */
  private static ObjectNode withTemplate(Workload w, JsonNode raw, JsonNode template) {
    ObjectNode o = raw.deepCopy();
    if (template != null) {
      String pointer = w.kind().templatePointer();
      ((ObjectNode) o.at(pointer.substring(0, pointer.lastIndexOf('/'))))
          .set(pointer.substring(pointer.lastIndexOf('/') + 1), template);
    }
    return o;
  }

  /**
   * The generation the API server gives the object once this request is stored: 1 for a new
   * object; for an update, one more than the stored object's when the spec changes.
   */
  private static long generationAfter(Workload w, JsonNode raw, JsonNode old, JsonNode template) {
    if (old == null) {
      return 1;
    }
    long stored = old.path("metadata").path("generation").asLong(0);
    return stored + (withTemplate(w, raw, template).path("spec").equals(old.path("spec")) ? 0 : 1);
  }
}
