package dev.rootlock.plan;

import java.nio.file.Path;

/** How output names an input file: as given, relative to the working directory where possible, with / separators. */
final class FilePaths {
  private FilePaths() {}

  /** "deploy/app.yaml" for "./deploy/app.yaml" and for its absolute path under the working directory. */
  static String relative(String source) {
    if (source.equals(ManifestReader.STDIN)) {
      return "stdin";
    }
    Path p = Path.of(source).normalize();
    Path cwd = Path.of("").toAbsolutePath();
    if (p.isAbsolute() && p.startsWith(cwd)) {
      p = cwd.relativize(p);
    }
    return p.toString().replace('\\', '/');
  }

  /** A URI reference for SARIF: the relative path, or a file: URI when the file is outside the working directory. */
  static String uri(String source) {
    String rel = relative(source);
    Path p = Path.of(rel);
    return p.isAbsolute() || rel.startsWith("../") ? p.toAbsolutePath().normalize().toUri().toString()
        : rel.replace(" ", "%20");
  }
}
