package dev.rootlock.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;

/**
 * How to read what a template change started for one kind of workload, from what its controller
 * and the kubelet report. Pure: objects in, answers out.
 *
 * @param <T> the workload type
 */
public interface RolloutReader<T extends HasMetadata> {
  /** How a template change reaches this workload's pods, as it is now. */
  Uptake uptake(T workload);

  /**
   * Complete, from the workload object alone (no watch needed): used to filter the workload's own
   * status updates and to tell a finished rollout from one that needs its pods looked at.
   *
   * @param started when Rootlock wrote the change, or null when unknown
   */
  boolean isComplete(T workload, Instant started);

  /**
   * @param related the objects the rollout created, asked for only when needed
   * @param started when Rootlock wrote the change; what is older is not this change's
   * @param timeout spec.rollout.timeout
   */
  Verdict judge(T workload, Related related, Instant started, Instant now, Duration timeout);

  /**
   * Whether the workload's own status keeps saying a completed rollout is complete (a Deployment's
   * condition, a StatefulSet's revisions without a partition). When it does not (a DaemonSet's
   * counts drop when a node joins), only the operator's memory of the pass stops a later dip from
   * being judged as this rollout, and a restart loses that memory.
   */
  default boolean completionLasts(T workload) {
    return true;
  }

  /**
   * Whether what the workload shows now, short of complete, is what a rollout that completed
   * earlier looks like once lowered by what came later (a node that joined a DaemonSet, a pod
   * lost), and not a rollout that stalled: asked only about a change whose window ended before
   * this operator process began following it, so that no process saw how it went.
   */
  default boolean couldHavePassed(T workload) {
    return false;
  }

  /** Whether the objects {@link #judge} looks at (its pods) are known yet: a watch just opened has not synced. */
  default boolean relatedKnown(T workload, Related related) {
    return true;
  }

  /**
   * Whether what {@link #judge} asks for changes without the workload's own status telling (a
   * CronJob's next Job and its pods): then it is watched while followed; otherwise it is listed
   * only when the reader asks, and the reader asks only when the status stands still.
   */
  default boolean watchesRelated() {
    return false;
  }
}
