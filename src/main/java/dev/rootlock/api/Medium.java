package dev.rootlock.api;

/** Where the emptyDirs Rootlock injects keep their files. */
public enum Medium {
  /** tmpfs: fast, and its pages count against the memory limit of the container writing them. */
  Memory,
  /** The node's disk (the emptyDir default medium), bounded by sizeLimit; for large caches. */
  Disk
}
