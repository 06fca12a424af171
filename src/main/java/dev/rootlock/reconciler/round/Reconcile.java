package dev.rootlock.reconciler.round;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.PolicyRules;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * One reconcile of one policy: what every step of it needs, passed as one value instead of the
 * policy in three forms and its rules, slots and cache beside them.
 *
 * @param policy the policy's namespace and name
 * @param generation its {@code metadata.generation} (a rollback holds until it changes); 0 when unset
 * @param rules its validated spec
 * @param slots its rollout slots ({@code spec.rollout.maxInProgress}) for this reconcile
 * @param answers what the engine answered for its workloads, kept from one reconcile to the next
 */
public record Reconcile(ResourceID policy, long generation, PolicyRules rules, RolloutSlots slots,
    EngineAnswerCache answers) {

  /** A reconcile of {@code p} under {@code rules}, with fresh slots. */
  public static Reconcile of(ReadOnlyPolicy p, PolicyRules rules, EngineAnswerCache answers) {
    Long generation = p.getMetadata().getGeneration();
    return new Reconcile(ResourceID.fromResource(p), generation == null ? 0 : generation, rules,
        new RolloutSlots(rules.rollout().maxInProgress()), answers);
  }

  /** The policy's name. */
  public String name() {
    return policy.getName();
  }

  public String namespace() {
    return policy.getNamespace().orElseThrow();
  }
}
