package dev.rootlock.decision;

import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The policies a workload may belong to, as one path sees them (the reconcile: its namespace in
 * the informer cache; the webhook: its own informer; {@code plan}: the policy file), and who owns
 * a workload among them. Each policy's spec is validated once per set, not once per workload.
 */
public final class PolicySet {
  private final Map<ReadOnlyPolicy, PolicyRules.Validation> validated = new IdentityHashMap<>();
  /** Valid, live, enforcing policies: the ones that claim what they select. */
  private final List<Claimant> enforcing = new ArrayList<>();
  /** Policies that exist but are invalid or being deleted, by name: a recorded owner among them keeps its workloads. */
  private final Map<String, ReadOnlyPolicy> unsettled = new HashMap<>();
  private final Set<String> existing;
  private final Predicate<String> existsElsewhere;

  private record Claimant(ReadOnlyPolicy policy, PolicyRules rules) {}

  /**
   * The owner of a workload.
   *
   * @param policy the owning policy, or null for a recorded owner this set does not hold but that exists
   * @param unsettled it is invalid or being deleted, and keeps what it hardened
   */
  public record Owner(String name, ReadOnlyPolicy policy, boolean unsettled) {
    boolean is(ReadOnlyPolicy p) {
      return policy != null ? policy == p : name.equals(p.getMetadata().getName());
    }
  }

  /**
   * @param validate each policy's validation (a path may keep them between sets)
   * @param existsElsewhere whether a policy this set does not hold exists anyway: the reconcile
   *     asks the API server (its cache may lag behind a policy created a moment ago), the webhook
   *     assumes so, {@code plan} knows the file is all there is. Asked at most once per name.
   */
  public PolicySet(Collection<ReadOnlyPolicy> policies, Function<ReadOnlyPolicy, PolicyRules.Validation> validate,
      Predicate<String> existsElsewhere) {
    for (ReadOnlyPolicy p : policies) {
      PolicyRules.Validation v = validate.apply(p);
      validated.put(p, v);
      if (p.getMetadata().getDeletionTimestamp() != null || !v.isValid()) {
        unsettled.put(p.getMetadata().getName(), p);
      } else if (v.rules().mode() == Mode.Enforce) {
        enforcing.add(new Claimant(p, v.rules()));
      }
    }
    this.existing = policies.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    Map<String, Boolean> asked = new HashMap<>();
    this.existsElsewhere = name -> asked.computeIfAbsent(name, existsElsewhere::test);
  }

  /** The set validating each policy afresh. */
  public static PolicySet of(Collection<ReadOnlyPolicy> policies, Predicate<String> existsElsewhere) {
    return new PolicySet(policies, p -> PolicyRules.from(p.getSpec()), existsElsewhere);
  }

  /**
   * The rules of a policy of this set.
   *
   * @throws IllegalArgumentException when it is not in the set or its spec is invalid (an invalid
   *     policy decides nothing: it reports InvalidSpec)
   */
  public PolicyRules rulesOf(ReadOnlyPolicy p) {
    PolicyRules.Validation v = validated.get(p);
    if (v == null || !v.isValid()) {
      throw new IllegalArgumentException("policy " + p.getMetadata().getName() + " is "
          + (v == null ? "not in this set" : "invalid: " + v.describeErrors()));
    }
    return v.rules();
  }

  /** Whether {@code p} is in the set, valid and not being deleted: a policy that acts. */
  public boolean acts(ReadOnlyPolicy p) {
    PolicyRules.Validation v = validated.get(p);
    return v != null && v.isValid() && p.getMetadata().getDeletionTimestamp() == null;
  }

  /** A recorded owner this set does not hold. */
  boolean isUnknown(String recorded) {
    return recorded != null && !existing.contains(recorded);
  }

  /** A recorded owner that no longer exists anywhere: its workload is an orphan anyone may adopt or undo. */
  boolean isGone(String recorded) {
    return isUnknown(recorded) && !existsElsewhere.test(recorded);
  }

  /** Who owns {@code w} among these policies; empty when none claims it. */
  Optional<Owner> ownerOf(Subject w) {
    String recorded = w.recordedOwner();
    if (recorded != null && unsettled.containsKey(recorded)) {
      return Optional.of(new Owner(recorded, unsettled.get(recorded), true));
    }
    if (isUnknown(recorded) && !isGone(recorded)) {
      // a policy newer than this cache: it keeps what it just hardened
      return Optional.of(new Owner(recorded, null, false));
    }
    List<ReadOnlyPolicy> claimants = enforcing.stream().filter(c -> w.isSelectedBy(c.rules()))
        .map(Claimant::policy).toList();
    return Ownership.ownerAmong(recorded, claimants).map(p -> new Owner(p.getMetadata().getName(), p, false));
  }
}
