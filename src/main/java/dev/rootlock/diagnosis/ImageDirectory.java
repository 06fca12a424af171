package dev.rootlock.diagnosis;

/**
 * What an image holds at one path, as seen by looking into the image itself ({@code rootlock
 * probe} copies it out of a created, never-started container), not guessed from the path.
 *
 * @param kind what is there
 * @param files entries below the directory that are not directories (files, links, devices);
 *     0 unless {@link Kind#HOLDS_FILES}
 * @param directories directories below it, at any depth; 0 unless {@link Kind#HOLDS_FILES}
 * @param capped true when counting stopped early: there are at least this many
 */
public record ImageDirectory(Kind kind, int files, int directories, boolean capped) {
  public static final ImageDirectory ABSENT = new ImageDirectory(Kind.ABSENT, 0, 0, false);
  public static final ImageDirectory EMPTY = new ImageDirectory(Kind.EMPTY, 0, 0, false);
  public static final ImageDirectory NOT_A_DIRECTORY = new ImageDirectory(Kind.NOT_A_DIRECTORY, 0, 0, false);

  public enum Kind {
    /** Nothing at that path: an emptyDir there hides nothing. */
    ABSENT,
    /** An empty directory: an emptyDir there hides nothing. */
    EMPTY,
    /** A directory with something below it, even only empty subdirectories: an emptyDir would hide them. */
    HOLDS_FILES,
    /** A file (or a link to one): no directory can be mounted there. */
    NOT_A_DIRECTORY
  }

  /** @throws IllegalArgumentException when a count is negative or does not fit the kind */
  public ImageDirectory {
    if (files < 0 || directories < 0 || (kind == Kind.HOLDS_FILES) != (files + directories > 0)) {
      throw new IllegalArgumentException(kind + " with " + files + " file(s) and " + directories + " directories");
    }
  }

  /** A directory holding {@code files} non-directories and {@code directories} subdirectories (together > 0). */
  public static ImageDirectory holding(int files, int directories, boolean capped) {
    return new ImageDirectory(Kind.HOLDS_FILES, files, directories, capped);
  }

  /** True when an emptyDir at this path would hide something of the image's. */
  public boolean holdsFiles() {
    return kind == Kind.HOLDS_FILES;
  }

  /** What was found, in words: "empty in the image", "holds 1 file(s) in the image". */
  public String describe() {
    String more = capped ? "at least " : "";
    return switch (kind) {
      case ABSENT -> "absent from the image";
      case EMPTY -> "empty in the image";
      case NOT_A_DIRECTORY -> "a file in the image, not a directory";
      case HOLDS_FILES -> "holds " + more + files + " file(s)"
          + (directories == 0 ? "" : " and " + more + directories + " directory(ies)") + " in the image";
    };
  }
}
