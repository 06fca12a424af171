package dev.rootlock.diagnosis;

/** Whether a directory found in crash output may be made writable without a person deciding, and how. */
public enum PathSafety {
  /** A directory an empty emptyDir can safely cover: learn mode and {@code rootlock probe} add it. */
  LEARN,
  /**
   * A directory that holds (or probably holds) the image's own files: an empty emptyDir would hide
   * them, so it is made writable as a seeded path, filled with the image's files before the app starts.
   */
  SEED,
  /** A whole system tree or a directory too broad to hide or copy; the app must be configured to write elsewhere. */
  HIDES_IMAGE_FILES,
  /** Under /proc, /sys or /dev, or a file or directory the kubelet mounts. */
  RUNTIME_MANAGED,
  /** A relative path and no known working directory: the directory cannot be named. */
  RELATIVE,
  /** A read-only-filesystem failure that names no path. */
  NO_PATH
}
