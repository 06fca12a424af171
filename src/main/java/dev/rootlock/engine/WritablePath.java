package dev.rootlock.engine;

/**
 * One declared writable path, normalised (no trailing slash), and which spec list it came from so
 * messages can tell the user which field to edit (and, for {@link Kind#SEED}, that it is filled with
 * the image's files).
 */
public record WritablePath(String path, Kind kind) {
  public enum Kind {
    TMP("tmpPaths"),
    CACHE("cachePaths"),
    /** Filled with the image's files before the app starts (docs/seeding.md). */
    SEED("seedPaths");

    private final String field;

    Kind(String field) {
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  public boolean seeded() {
    return kind == Kind.SEED;
  }

  /** True when {@code mountPath} is this very path (trailing slashes aside). */
  public boolean isAt(String mountPath) {
    return path.equals(Paths.normalize(mountPath));
  }

  /** True when {@code mountPath} is this path or one of its parents, i.e. the path lies inside it. */
  public boolean isCoveredBy(String mountPath) {
    if (mountPath == null || mountPath.isBlank()) {
      return false; // an invalid mount covers nothing
    }
    String mount = Paths.normalize(mountPath);
    return mount.equals("/") || path.equals(mount) || path.startsWith(mount + "/");
  }
}
