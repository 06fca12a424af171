package dev.rootlock.diagnosis;

import dev.rootlock.diagnosis.LineSyntax.Found;
import dev.rootlock.diagnosis.LineSyntax.Role;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a program's output (a crashed container's termination message, a probe run's logs) and
 * names every directory it failed to write because the root filesystem is read-only. Pure: text
 * and the container's context in, {@link Diagnosis} out (the context's {@link ImageContents} may
 * look into the image, under {@code rootlock probe}). Used by the operator's rollout follower
 * and by {@code rootlock probe}; table-tested with real output from public reports.
 *
 * <p>Every line is read, not just the first match: entrypoint scripts often log a harmless
 * "can not modify" info line above the fatal one, and a server may fail on several paths at once.
 */
public final class ReadOnlyFilesystemErrors {
  private ReadOnlyFilesystemErrors() {}

  /** Diagnoses output without knowing the container's working directory or $TMPDIR. */
  public static Diagnosis diagnose(String output) {
    return diagnose(output, ContainerDirectories.UNKNOWN);
  }

  /**
   * @param output the program's output, any number of lines; null reads as empty
   * @param context the container's working directory and $TMPDIR, for relative paths and temp files
   */
  public static Diagnosis diagnose(String output, ContainerDirectories context) {
    if (output == null || output.isBlank()) {
      return Diagnosis.NONE;
    }
    String[] lines = output.split("\\R");
    Map<String, Ranked> byKey = new LinkedHashMap<>();
    for (int i = 0; i < lines.length; i++) {
      int at = i;
      String line = lines[i].strip();
      Found found = LineSyntax.read(line).or(() -> SurroundingLines.nodeErrorObject(lines, at))
          .or(() -> SurroundingLines.tempDirInProse(lines, at))
          .map(f -> SurroundingLines.complete(f, lines, at))
          .orElse(null);
      if (found == null) {
        continue;
      }
      Severity severity = SurroundingLines.isNodePathLine(line) ? Severity.FATAL : Severity.of(line);
      Need need = resolve(found, severity, line, context);
      String key = need.directory() != null ? need.directory()
          : need.path() != null ? "relative:" + need.path() : "none:" + need.hint();
      Ranked known = byKey.get(key);
      if (known == null || severity.compareTo(known.need.severity()) < 0) {
        byKey.put(key, new Ranked(known == null ? i : known.order, need));
      }
    }
    List<Need> needs = byKey.values().stream()
        // a bare "IOException: Read-only file system" adds nothing when a line as severe names the path
        .filter(r -> r.need.path() != null || r.need.hint() != null || byKey.values().stream()
            .noneMatch(o -> o.need.path() != null && o.need.severity().compareTo(r.need.severity()) <= 0))
        .filter(r -> !coveredByAnother(r.need, byKey.values()))
        .sorted(Comparator.comparing((Ranked r) -> r.need.severity()).thenComparingInt(r -> r.order))
        .map(r -> r.need)
        .toList();
    return new Diagnosis(needs);
  }

  /**
   * True when a line at least as severe names a parent of {@code n}'s directory that may be made
   * writable: that one covers it (cp creating conf/bitnami while writing into conf).
   */
  static boolean coveredByAnother(Need n, java.util.Collection<Ranked> all) {
    return n.directory() != null && all.stream().map(Ranked::need).anyMatch(o -> o.directory() != null
        && !o.directory().equals(n.directory()) && ImageLayout.isAtOrUnder(n.directory(), o.directory())
        && (o.safety() == PathSafety.LEARN || o.safety() == PathSafety.SEED)
        && o.severity().compareTo(n.severity()) <= 0);
  }

  record Ranked(int order, Need need) {}

  /** Turns a path as printed into the directory to declare, its field and whether it is safe. */
  static Need resolve(Found f, Severity severity, String line, ContainerDirectories context) {
    if (f.role() == Role.NONE) {
      return new Need(null, null, null, PathSafety.NO_PATH, severity, line, f.hint());
    }
    String printed = f.path() != null ? f.path() : context.tmpDirOrDefault();
    // relative to the working directory, unless the program changed into another one (f.hint says which)
    String absolute = printed.startsWith("/") ? ImageLayout.normalise(printed)
        : context.workingDir() != null && f.hint() == null
            ? ImageLayout.normalise(context.workingDir() + "/" + printed) : null;
    if (absolute == null) {
      return new Need(ImageLayout.normalise(printed), null, null, PathSafety.RELATIVE, severity, line, f.hint());
    }
    String parent = ImageLayout.parent(absolute);
    String name = absolute.substring(absolute.lastIndexOf('/') + 1);
    String directory = switch (f.role()) {
      case SELF, TEMP_DIR, CACHE_ROOT -> absolute;
      case FILE -> parent;
      // A program creates its directories side by side (nginx's client_temp, proxy_temp, ...): the
      // parent covers them all, when it is a directory an empty emptyDir may cover. Otherwise the
      // directory itself, which the failed mkdir proves absent from the image (mkdir reports EEXIST
      // before EROFS): an emptyDir there hides nothing (Jenkins' /usr/share/jenkins/ref/plugins).
      // The app's own directory (/app/code, /opt/codetogether) is never that parent: it holds the app.
      case MKDIR -> !ImageLayout.isBroad(parent) && !ImageLayout.isAppDirectory(parent)
          && safetyOf(parent, context) == PathSafety.LEARN ? parent : absolute;
      default -> PrintedPath.hasExtension(name) || !ImageLayout.isBroad(parent) ? parent : absolute;
    };
    boolean created = f.role() == Role.MKDIR && directory.equals(absolute);
    String toolCache = f.role() == Role.CACHE_ROOT ? absolute : ImageLayout.toolCacheRoot(directory);
    if (toolCache != null) {
      directory = toolCache;
    }
    boolean tmp = f.role() == Role.TEMP_DIR || ImageLayout.isAtOrUnder(directory, "/tmp")
        || ImageLayout.isAtOrUnder(directory, "/var/tmp")
        || (context.tmpDir() != null && ImageLayout.isAtOrUnder(directory, context.tmpDir()));
    PathSafety safety;
    if (ImageLayout.isRuntimeManaged(directory)) {
      safety = PathSafety.RUNTIME_MANAGED;
    } else if (created) {
      safety = ImageLayout.isWholeSystemTree(directory) ? PathSafety.HIDES_IMAGE_FILES : PathSafety.LEARN;
    } else if (tmp || toolCache != null) {
      // temporary files and a tool's cache are the app's to lose: never worth copying from the image
      safety = ImageLayout.isOffLimits(directory) ? PathSafety.HIDES_IMAGE_FILES : PathSafety.LEARN;
    } else {
      safety = safetyOf(directory, context);
    }
    String field = tmp ? Need.TMP_PATHS : safety == PathSafety.SEED ? Need.SEED_PATHS : Need.CACHE_PATHS;
    return new Need(absolute, directory, field, safety, severity, line, null);
  }

  /**
   * What an emptyDir at an existing directory {@code dir} would be. Runtime-managed places and
   * trees too broad to hide or copy are refused by their path whatever they hold; otherwise what
   * the image holds there decides where it can be looked up (empty or absent: a plain path; files:
   * a seeded one; a file: nothing can be mounted there), else the path's name.
   */
  private static PathSafety safetyOf(String dir, ContainerDirectories context) {
    if (ImageLayout.isRuntimeManaged(dir)) {
      return PathSafety.RUNTIME_MANAGED;
    }
    if (ImageLayout.isOffLimits(dir)) {
      return PathSafety.HIDES_IMAGE_FILES;
    }
    return context.image().at(dir).map(found -> switch (found.kind()) {
      case ABSENT, EMPTY -> PathSafety.LEARN;
      case HOLDS_FILES -> PathSafety.SEED;
      case NOT_A_DIRECTORY -> PathSafety.HIDES_IMAGE_FILES;
    }).orElseGet(() -> ImageLayout.holdsImageFiles(dir) ? PathSafety.SEED : PathSafety.LEARN);
  }
}
