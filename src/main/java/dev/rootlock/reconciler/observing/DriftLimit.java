package dev.rootlock.reconciler.observing;

import java.time.Duration;

/**
 * When Rootlock stops correcting a workload someone keeps reverting ({@code --drift-fight-corrections},
 * {@code --drift-fight-window}).
 *
 * @param corrections after this many corrections of the same workload within {@code window},
 *     each after someone else reverted the hardening, Rootlock stops correcting it
 */
public record DriftLimit(int corrections, Duration window) {
  public static final DriftLimit DEFAULT = new DriftLimit(3, Duration.ofHours(1));
}
