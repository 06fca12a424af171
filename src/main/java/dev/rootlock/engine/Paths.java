package dev.rootlock.engine;

/** Path helpers shared by validation and the hardener. */
final class Paths {
  private Paths() {}

  /** Drops trailing slashes so that "/tmp/" and "/tmp" compare equal; "/" stays "/". */
  static String normalize(String path) {
    if (path == null) {
      return "";
    }
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
