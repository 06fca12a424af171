package dev.rootlock.plan;

/**
 * Something a person should know about a planned change before making it: the change alone does
 * not make the workload safe, or does not cover all of it.
 *
 * @param type what kind of problem it is; its name is part of plan's JSON and SARIF output
 * @param container the container or Compose service it is about
 * @param path the declared path it is about, or null
 * @param message the problem and what to do about it, for a person
 */
public record PlanWarning(Type type, String container, String path, String message) {
  public enum Type {
    /** The container's memory-backed volumes could use too much of its memory (spec.memoryShareWarning). */
    MemoryRisk,
    /** A declared path is already a read-only mount (a configMap, a secret, readOnly: true): still not writable. */
    ReadOnlyMount,
    /** The container is exempt (spec.excludeContainers or spec.excludeImages) and keeps a writable root. */
    ExemptContainer
  }
}
