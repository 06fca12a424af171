package dev.rootlock.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.decision.Decision;
import dev.rootlock.decision.DecisionLadder;
import dev.rootlock.decision.EngineAnswer;
import dev.rootlock.decision.PolicySet;
import dev.rootlock.decision.Subject;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.workload.RootlockAnnotations;
import dev.rootlock.workload.Workload;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the admission webhook does with a workload being created or updated: exactly what the
 * reconcile would write for it (the same {@link DecisionLadder}, the same engine, the same owner,
 * revert and rollout records), as one JSON Patch on the object in the request. Decides from the
 * policies an informer holds and the object itself: no API call.
 * Anything it cannot decide is left to the reconcile (no patch), never denied.
 */
public final class AdmissionHardening {
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
  public AdmissionHardening(Function<String, List<ReadOnlyPolicy>> policiesIn, Clock clock, SeedPlatform seeding) {
    this.hardener = new Hardener(seeding);
    this.policiesIn = policiesIn;
    this.clock = clock;
  }

  /**
   * What the webhook answers for one object.
   *
   * @param patch the JSON Patch (relative to the object in the request), empty when nothing changes
   * @param why in words, for logs: what was done or why nothing was
   */
  public record Mutation(ArrayNode patch, String why) {
    static Mutation none(String why) {
      return new Mutation(JsonNodeFactory.instance.arrayNode(), why);
    }
  }

  /**
   * The patch for a workload in a request: the hardening of the policy the {@link DecisionLadder}
   * says hardens it, and nothing for any other decision (Audit, excluded, another policy's,
   * not selected; a release is the reconcile's to write).
   *
   * @param w the object as the request carries it (its namespace set from the request)
   * @param raw the same object as JSON, exactly as the request carries it: the patch applies to it
   * @param old the stored object for an UPDATE (as JSON), null for a CREATE
   */
  public Mutation decide(Workload w, JsonNode raw, JsonNode old) {
    List<ReadOnlyPolicy> inNamespace = policiesIn.apply(w.namespace());
    // A recorded owner the informer does not know is not guessed at (it may be a policy created a
    // moment ago): it keeps the workload, and the reconcile asks the API server.
    PolicySet policies = new PolicySet(inNamespace, this::validated, name -> true);
    Subject subject = Subject.of(w);
    String why = "no enforcing policy selects it";
    for (ReadOnlyPolicy p : inNamespace) {
      if (!policies.acts(p)) {
        continue;
      }
      Decision d = DecisionLadder.decide(subject, p, policies);
      if (d instanceof Decision.Harden) {
        return harden(w, raw, old, p, policies.rulesOf(p));
      }
      if (d instanceof Decision.Excluded e) {
        return Mutation.none(e.reason());
      }
      if (d instanceof Decision.Conflict c) {
        why = "owned by policy " + c.owner() + ", which does not harden it now";
      }
    }
    return Mutation.none(why);
  }

  private PolicyRules.Validation validated(ReadOnlyPolicy p) {
    String rv = p.getMetadata().getResourceVersion();
    Validated known = p.getMetadata().getUid() == null ? null : rules.get(p.getMetadata().getUid());
    if (known != null && rv != null && rv.equals(known.resourceVersion())) {
      return known.validation();
    }
    PolicyRules.Validation v = PolicyRules.from(p.getSpec());
    if (p.getMetadata().getUid() != null) {
      rules.put(p.getMetadata().getUid(), new Validated(rv, v));
    }
    return v;
  }

  private Mutation harden(Workload w, JsonNode raw, JsonNode old, ReadOnlyPolicy policy, PolicyRules rules) {
    String name = policy.getMetadata().getName();
    RevertRecord prior;
    try {
      prior = RevertRecord.parse(w.annotation(Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return Mutation.none("its revert record cannot be trusted: " + e.getMessage());
    }
    String text = w.annotation(Annotations.ROLLOUT);
    RolloutRecord rollout = text == null ? RolloutRecord.EMPTY : RolloutRecord.parse(text);
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    long policyGeneration = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    Hardening h = hardener.harden(w.template(), rules.withLearnedPaths(rollout.learned(), rollout.seeded()), prior);
    Decision answer = DecisionLadder.answer(new Decision.Harden(), EngineAnswer.of(h));
    if (answer instanceof Decision.SkippedForMemoryRisk skip) {
      return Mutation.none(skip.message()); // an earlier hardening is the reconcile's to undo
    }
    boolean change = answer instanceof Decision.Change;
    RolloutRecord next;
    JsonNode template = change ? JsonPatches.tree(h.template()) : null;
    if (change) {
      long generation = generationAfter(w, raw, old, h);
      if (rb != null && rb.holds(name, policyGeneration, generation, w.template())) {
        return Mutation.none("rolled back; not retried until the policy spec or the pod template changes");
      }
      if (old != null && generation == old.path("metadata").path("generation").asLong(0)) {
        // the update only undid the hardening and this patch restores the stored spec: the generation
        // stays, nothing rolls out, and a rollout recorded as started would wait for pods that never come
        next = rollout;
      } else {
        next = w.uptake().isFollowed() ? rollout.started(generation, clock.instant(), 0, rollout.learned())
            : new RolloutRecord(null, null, 0, rollout.learned(), null, rollout.corrections(), rollout.seeded());
      }
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
    return new Mutation(patch, patch.isEmpty() ? "compliant" : "hardened for policy " + name + ": "
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
   * object; for an update, one more than the stored object's when the spec changes. The hardened
   * template is compared with the stored one as a model, not as JSON: serializing a template
   * again may spell it differently (defaults, empty lists) while it is the same spec.
   */
  private static long generationAfter(Workload w, JsonNode raw, JsonNode old, Hardening h) {
    if (old == null) {
      return 1;
    }
    long stored = old.path("metadata").path("generation").asLong(0);
    Workload before = new Workload(w.kind(), JsonPatches.SERIALIZATION.convertValue(old, w.kind().type()));
    boolean sameTemplate = before.template().equals(h.template());
    boolean sameRest = withTemplate(w, raw, old.at(w.kind().templatePointer())).path("spec").equals(old.path("spec"));
    return stored + (sameTemplate && sameRest ? 0 : 1);
  }
}
