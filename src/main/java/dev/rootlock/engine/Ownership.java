package dev.rootlock.engine;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which policy owns a workload that several policies select.
 *
 * <p>The recorded owner keeps it while it still selects the workload: handing a hardened workload
 * from one policy to another would mean two rollouts for nothing. Otherwise the oldest policy
 * (creation time, then name) wins, a rule every replica and every reconcile computes the same way.
 * Policies from files (the offline plan) have no creation time and are ordered by name.
 */
public final class Ownership {
  private static final Comparator<ReadOnlyPolicy> OLDEST_FIRST = Comparator
      .comparing((ReadOnlyPolicy p) -> p.getMetadata().getCreationTimestamp(),
          Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(p -> p.getMetadata().getName())
      .thenComparing(p -> String.valueOf(p.getMetadata().getNamespace()));

  private Ownership() {}

  /**
   * @param claimants the valid, live, enforcing policies in the workload's namespace that select it
   * @param unsettled names of policies that exist but are invalid or being deleted: a recorded
   *     owner among them keeps the workload until it is fixed or has finished undoing its work
   * @return the owner's name, empty when nobody claims the workload
   */
  public static Optional<String> owner(HasMetadata workload, Collection<ReadOnlyPolicy> claimants,
      Set<String> unsettled) {
    String recorded = recordedOwner(workload);
    if (recorded != null && unsettled.contains(recorded)) {
      return Optional.of(recorded);
    }
    return ownerAmong(workload, claimants).map(p -> p.getMetadata().getName());
  }

  /** The owning policy among claimants, which may come from several namespaces (offline plan). */
  public static Optional<ReadOnlyPolicy> ownerAmong(HasMetadata workload, Collection<ReadOnlyPolicy> claimants) {
    return ownerAmong(recordedOwner(workload), claimants);
  }

  /**
   * The same rule for a workload that is not a Kubernetes object (a Compose service): {@code recorded}
   * is the owner it names, or null when it names none.
   */
  public static Optional<ReadOnlyPolicy> ownerAmong(String recorded, Collection<ReadOnlyPolicy> claimants) {
    return claimants.stream().filter(p -> p.getMetadata().getName().equals(recorded)).findFirst()
        .or(() -> claimants.stream().min(OLDEST_FIRST));
  }

  public static String recordedOwner(HasMetadata workload) {
    var annotations = workload.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Annotations.OWNER);
  }
}
