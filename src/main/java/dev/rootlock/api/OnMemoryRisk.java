package dev.rootlock.api;

/** What Rootlock does when a container's memory-backed emptyDirs could use too much of its memory. */
public enum OnMemoryRisk {
  /** Harden anyway; the workload message, a Warning Event and a metric say so. */
  Warn,
  /** Do not harden the workload (or undo it) while the risk stands. */
  Skip
}
