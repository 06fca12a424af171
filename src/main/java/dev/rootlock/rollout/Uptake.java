package dev.rootlock.rollout;

/**
 * How a pod-template change reaches a workload's pods, which decides whether Rootlock paces the
 * change and what it follows.
 *
 * @param note appended to the workload message while it holds ("; the Deployment is paused, ...")
 */
public record Uptake(Timing timing, String note) {
  public enum Timing {
    /** The controller replaces the pods now: the change takes a pacing slot and is followed to its end. */
    ROLL_OUT,
    /** No pod restarts by itself (a paused Deployment, OnDelete): no slot, nothing followed, never rolled back. */
    DEFERRED,
    /** The next run is the test (a CronJob's next Job): no slot; followed when it comes, however long that takes. */
    NEXT_RUN
  }

  public static final Uptake ROLL_OUT = new Uptake(Timing.ROLL_OUT, "");
  /** A StatefulSet's or DaemonSet's {@code updateStrategy.type: OnDelete}. */
  public static final Uptake ON_DELETE =
      deferred("; its update strategy is OnDelete, so each pod picks the change up when it is deleted");

  /** {@link #ON_DELETE} for an {@code updateStrategy.type} of OnDelete, else {@code otherwise}. */
  static Uptake onDeleteOr(String strategyType, Uptake otherwise) {
    return "OnDelete".equals(strategyType) ? ON_DELETE : otherwise;
  }

  public static Uptake deferred(String note) {
    return new Uptake(Timing.DEFERRED, note);
  }

  public static Uptake nextRun(String note) {
    return new Uptake(Timing.NEXT_RUN, note);
  }

  /** Whether the change counts against spec.rollout.maxInProgress while it is followed. */
  public boolean takesSlot() {
    return timing == Timing.ROLL_OUT;
  }

  /** Whether Rootlock follows what the change starts (and may roll it back). */
  public boolean isFollowed() {
    return timing != Timing.DEFERRED;
  }
}
