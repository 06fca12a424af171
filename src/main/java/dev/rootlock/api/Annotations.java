package dev.rootlock.api;

/** Annotation keys and names Rootlock reads or writes on workloads: part of the user contract. */
public final class Annotations {
  /** Set to "true" on a workload to keep every policy away from it. */
  public static final String EXCLUDE = "rootlock.dev/exclude";
  /** Name of the policy (same namespace) that hardened the workload. */
  public static final String OWNER = "rootlock.dev/owner";
  /** JSON revert record: the original values of everything Rootlock changed. */
  public static final String REVERT = "rootlock.dev/revert";
  /** JSON rollout record: the rollout Rootlock follows, learned paths, and a rollback, if any. */
  public static final String ROLLOUT = "rootlock.dev/rollout";
  /** Finalizer on policies, so deleting one reverts its workloads first. */
  public static final String FINALIZER = "rootlock.dev/revert-on-delete";
  /** Field manager on every write, so GitOps tools can recognise Rootlock's fields. */
  public static final String FIELD_MANAGER = "rootlock";

  private Annotations() {}
}
