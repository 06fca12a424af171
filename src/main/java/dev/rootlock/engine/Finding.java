package dev.rootlock.engine;

/**
 * One observation the hardener made about a container, for status messages. {@code path} is null
 * for findings about the container as a whole.
 */
public record Finding(String container, String path, Kind kind, String detail) {
  public enum Kind {
    /** readOnlyRootFilesystem was set to true. */
    READ_ONLY_SET,
    /** terminationMessagePolicy was set to FallbackToLogsOnError, so crash logs reach the pod status. */
    MESSAGE_POLICY_SET,
    /** An emptyDir (memory-backed unless detail ends " on disk") is mounted at the path by this run. */
    VOLUME_INJECTED,
    /** Something the user mounts at the path or a parent already covers it; left alone. */
    PATH_ALREADY_MOUNTED,
    /** The policy names a container the pod template does not have. */
    CONTAINER_NOT_FOUND,
    /** The pod template has no container the policy hardens. */
    NOTHING_TO_HARDEN,
    /** The policy names an init container but does not ask for init containers. */
    INIT_CONTAINER_SKIPPED,
    /** On undo: someone changed the field since Rootlock set it; their value stays. */
    CHANGED_BY_OTHERS,
    /** The container is left exactly as it is (spec.excludeContainers or spec.excludeImages); detail says which. */
    CONTAINER_EXEMPTED,
    /** Its memory-backed emptyDirs may use too much of its memory; detail says how much of what. */
    MEMORY_RISK,
    /** The workload is not hardened because of a memory risk (spec.onMemoryRisk: Skip). */
    HARDENING_SKIPPED,
    /** The init container named in detail was added or put back as wanted: it fills the container's seeded paths. */
    SEEDER_SET
  }

  public String describe() {
    String where = container == null ? "" : "container " + container;
    String on = path == null ? where : where + " " + path;
    return switch (kind) {
      case READ_ONLY_SET -> where + ": readOnlyRootFilesystem set";
      case MESSAGE_POLICY_SET -> where + ": terminationMessagePolicy FallbackToLogsOnError set";
      case VOLUME_INJECTED -> on + ": writable memory emptyDir " + detail;
      case PATH_ALREADY_MOUNTED -> on + ": already mounted by " + detail + ", left alone";
      case CONTAINER_NOT_FOUND -> where + ": not in the pod template, nothing to harden";
      case NOTHING_TO_HARDEN -> "no container in the pod template is hardened by this policy";
      case INIT_CONTAINER_SKIPPED -> where + ": is an init container; set initContainers: true to harden it";
      case CHANGED_BY_OTHERS -> on + ": " + detail;
      case CONTAINER_EXEMPTED -> where + ": exempt (" + detail + "), left as it is";
      case MEMORY_RISK -> "warning: " + detail;
      case HARDENING_SKIPPED -> "not hardened (" + detail + ")";
      case SEEDER_SET -> where + ": init container " + detail + " fills its seeded paths from the image";
    };
  }
}
