package dev.rootlock.reconciler.observing;

import dev.rootlock.workload.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The followed changes this operator process has seen pass their test, by workload uid and the
 * generation the change produced. Kept in memory, not on the workload: recording a pass in the
 * rollout annotation was a write (metadata only, no rollout) per DaemonSet, per partitioned
 * StatefulSet and per CronJob whose first Job passed, the only write left for a workload the
 * webhook had hardened at creation. For a Deployment, and a StatefulSet without a partition, the
 * workload's own status keeps saying "complete" anyway; for the others it does not (a node that
 * joins a DaemonSet lowers its counts until its pod is up), and this memory is what stops a later
 * dip from being taken for the change's rollout.
 *
 * <p>A restart (or a new leader) loses the memory. A change still inside its window
 * (spec.rollout.timeout from the write) is simply followed again. For one whose window ended
 * before this process began ({@link #windowEndedUnwatched}), the follower does not let a timeout
 * alone fail it: the process that wrote it followed it through that window and would have rolled
 * it back. A read-only-filesystem crash still fails it; counts that look like a pass lowered by a
 * later node pass it; anything else gets a window of its own from this process's start.
 *
 * <p>One per operator, shared by every policy's reconciles (thread-safe). An entry goes when its
 * workload's informer reports it deleted, or a new change replaces it.
 */
public final class PassedTests {
  /** By namespace, then uid: the generation whose change passed. */
  private final Map<String, Map<String, Long>> byNamespace = new ConcurrentHashMap<>();
  /** When this process began following rollouts: its first reconcile, once it leads. */
  private final AtomicReference<Instant> since = new AtomicReference<>();

  /** Marks the start of following (the first call counts): a standby replica follows nothing. */
  public void begin(Instant now) {
    since.compareAndSet(null, now);
  }

  /** Whether the change that produced {@code w}'s current generation has passed its test. */
  public boolean has(Workload w) {
    Map<String, Long> passes = w.uid() == null ? null : byNamespace.get(w.namespace());
    Long g = passes == null ? null : passes.get(w.uid());
    return g != null && g == generation(w);
  }

  /** Remembers that the change that produced {@code w}'s current generation passed its test. */
  void add(Workload w) {
    if (w.uid() != null) {
      byNamespace.computeIfAbsent(w.namespace(), ns -> new ConcurrentHashMap<>()).put(w.uid(), generation(w));
    }
  }

  /** Forgets a workload that is gone (its informer's delete event), and its namespace when it was the last. */
  public void forget(Workload w) {
    if (w.uid() != null) {
      byNamespace.computeIfPresent(w.namespace(), (ns, passes) -> {
        passes.remove(w.uid());
        return passes.isEmpty() ? null : passes;
      });
    }
  }

  /** When this process began following rollouts; null before its first reconcile. */
  Instant began() {
    return since.get();
  }

  /**
   * True when a rollout written at {@code started} had its whole window, {@code timeout}, before
   * this process began: nobody in this process saw it in progress, and a process that did would
   * have rolled it back on time.
   */
  boolean windowEndedUnwatched(Instant started, Duration timeout) {
    Instant began = since.get();
    return started != null && began != null && !started.plus(timeout).isAfter(began);
  }

  int size() {
    return byNamespace.values().stream().mapToInt(Map::size).sum();
  }

  private static long generation(Workload w) {
    Long g = w.object().getMetadata().getGeneration();
    return g == null ? 0 : g;
  }
}
