package dev.rootlock.diagnosis;

/**
 * One place a program needed to write, as its output says.
 *
 * @param path the path as printed, normalised (relative when printed relative and no working
 *     directory was known), or null when the output names none
 * @param directory the absolute directory to declare writable, or null when it cannot be named
 *     ({@link PathSafety#RELATIVE}, {@link PathSafety#NO_PATH})
 * @param field {@code tmpPaths} for temporary directories, {@code seedPaths} for directories that
 *     hold the image's files ({@link PathSafety#SEED}), {@code cachePaths} otherwise; null without a
 *     directory
 * @param safety whether {@code directory} may be made writable automatically
 * @param severity the most severe line that named it
 * @param line that line, stripped
 * @param hint what to do instead, for failures that name no path but whose fix is known (.NET); for a
 *     {@link PathSafety#RELATIVE} path printed by a program that changed directory first, that
 *     directory in words (postfix's queue directory); else null
 */
public record Need(String path, String directory, String field, PathSafety safety, Severity severity, String line,
    String hint) {
  public static final String TMP_PATHS = "tmpPaths";
  public static final String CACHE_PATHS = "cachePaths";
  public static final String SEED_PATHS = "seedPaths";

  /**
   * True when learn mode and {@code rootlock probe} may add {@link #directory} on their own as a
   * plain writable path.
   */
  public boolean learnable() {
    return safety == PathSafety.LEARN && severity != Severity.INFO;
  }

  /** True when learn mode may add {@link #directory} on its own as a seeded path. */
  public boolean seedable() {
    return safety == PathSafety.SEED && severity != Severity.INFO;
  }

  /** What happened and what to do, as a clause after "container NAME ". */
  public String describe() {
    return switch (safety) {
      case LEARN -> "failed writing " + path + " (read-only file system); add " + directory + " to " + field;
      case SEED -> "failed writing " + path + " (read-only file system); " + directory + " holds the image's "
          + "files: add it to seedPaths (an emptyDir filled with them before the app starts)";
      case HIDES_IMAGE_FILES -> "failed writing " + path + " (read-only file system); an emptyDir at " + directory
          + " would hide the image's files, so it is not added: configure the app to write elsewhere";
      case RUNTIME_MANAGED -> "failed writing " + path + " (read-only file system); " + directory
          + " is managed by the container runtime: configure the app to write elsewhere";
      case RELATIVE -> hint != null
          ? "failed writing " + path + ", relative to " + hint + " (read-only file system); find that directory and "
              + "add it to cachePaths: the container's working directory says nothing about it"
          : "failed writing " + path + ", relative to the image's working directory (read-only file "
              + "system); set workingDir in the pod template, or add the absolute directory to cachePaths";
      case NO_PATH -> "failed writing to its read-only root filesystem (" + line + "); "
          + (hint != null ? hint : "find the directory in its logs and add it to cachePaths or tmpPaths");
    };
  }
}
