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
}
