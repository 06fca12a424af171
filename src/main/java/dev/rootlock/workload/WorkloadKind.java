package dev.rootlock.workload;

import dev.rootlock.api.ControllerKind;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.rollout.RolloutReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A kind of workload with a pod template, and everything Rootlock needs to know about it: where
 * its template lives (typed, and as a JSON Pointer that prefixes every JSON Patch op), how to read
 * what a template change starts, and its API coordinates, from which the client lists, watches and
 * patches it and the RBAC grants follow. The reconciler, the rollout follower, the status, {@code
 * plan} and the tests handle every kind through this one description: a new kind is a new row in
 * {@link WorkloadKinds}, not a new branch anywhere else.
 *
 * @param group the API group ("" for the core group)
 * @param plural the resource name in URLs and RBAC rules
 * @param type the fabric8 model class: the client lists, watches and patches it by this alone
 * @param templatePointer where the pod template sits in the object ("" for a Pod, which is its own)
 * @param templateOf the template, or null when the object has none
 * @param selectedBy the spec.kinds entry that selects this kind; null when every policy does
 * @param yieldsToOwner a Job or Pod made by a controller is that controller's: never judged on its own
 * @param inScope whether the operator looks at an object at all (a finished Job runs nothing)
 * @param rollout how to read what a template change starts; null for kinds the operator never writes
 */
public record WorkloadKind<T extends HasMetadata>(
    String kind,
    String group,
    String version,
    String plural,
    Class<T> type,
    String templatePointer,
    Function<T, PodTemplateSpec> templateOf,
    Role role,
    ControllerKind selectedBy,
    boolean yieldsToOwner,
    Predicate<T> inScope,
    RolloutReader<T> rollout) {

  /** What Rootlock does with a kind. */
  public enum Role {
    /** The operator hardens it and follows what the change starts; plan hardens its manifests. */
    HARDENED,
    /** The operator reports it and never writes it (a Job's template cannot change); plan hardens its manifests. */
    REPORTED,
    /** Only plan looks at it: a Pod manifest, before it becomes an immutable Pod. */
    PLANNED
  }

  /** "apps/v1", "v1". */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The pod template of {@code o}, which must be of this kind; null when it has none. */
  public PodTemplateSpec template(HasMetadata o) {
    return templateOf.apply(type.cast(o));
  }

  public boolean isInScope(HasMetadata o) {
    return inScope.test(type.cast(o));
  }

  /** Whether a policy with these rules selects this kind at all (its label selector decides the rest). */
  public boolean isSelectedBy(PolicyRules rules) {
    return selectedBy == null || rules.selects(selectedBy);
  }

  /** Whether the operator writes this kind. */
  public boolean isHardened() {
    return role == Role.HARDENED;
  }

  @Override
  public String toString() {
    return kind;
  }
}
