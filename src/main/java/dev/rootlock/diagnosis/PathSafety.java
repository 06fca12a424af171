package dev.rootlock.diagnosis;

/** Whether a directory found in crash output may be made writable without a person deciding. */
public enum PathSafety {
  /** A directory an emptyDir can safely cover: learn mode and {@code rootlock probe} add it. */
  LEARN,
  /** An emptyDir there would hide the image's own files; the app must be configured to write elsewhere. */
  HIDES_IMAGE_FILES,
  /** Under /proc, /sys or /dev, which the container runtime manages. */
  RUNTIME_MANAGED,
  /** A relative path and no known working directory: the directory cannot be named. */
  RELATIVE,
  /** A read-only-filesystem failure that names no path. */
  NO_PATH
}
