package dev.rootlock.diagnosis;

import dev.rootlock.diagnosis.LineSyntax.Found;
import dev.rootlock.diagnosis.LineSyntax.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a program's output (a crashed container's termination message, a probe run's logs) and
 * names every directory it failed to write because the root filesystem is read-only. Pure: text
 * and the container's context in, {@link Diagnosis} out. Used by the operator's rollout follower
 * and by {@code rootlock probe}; table-tested with real output from public reports.
 *
 * <p>Every line is read, not just the first match: entrypoint scripts often log a harmless
 * "can not modify" info line above the fatal one, and a server may fail on several paths at once.
 */
public final class ReadOnlyFilesystemErrors {
  /** Node prints its error object over several lines: {@code code: 'EROFS'} and {@code path: '/x'}. */
  private static final Pattern NODE_PATH = Pattern.compile("^\\s*path:\\s*'(?<p>[^']+)'");
  private static final Pattern NODE_EROFS = Pattern.compile("code:\\s*'EROFS'|errno:\\s*-30\\b");
  private static final Pattern NODE_SYSCALL = Pattern.compile("syscall:\\s*'(?<s>\\w+)'");
  /** How far around a Node {@code path:} line its {@code code:} and {@code syscall:} lines may be. */
  private static final int NODE_WINDOW = 8;
  /** A temporary directory named only in prose; the reason comes further down (a Caused by line). */
  private static final Pattern TEMP_IN_PROSE = Pattern.compile(
      "(?i)\\b(?:failed|unable) to create (?:a )?temp(?:orary)? (?:file|directory|dir) in (?<p>/[^\\s'\",;]+)");
  /** How far below the prose its read-only reason may be. */
  private static final int CAUSE_WINDOW = 15;
  /** A JVM creating a temporary file in java.io.tmpdir: the frames below a pathless IOException. */
  private static final Pattern JVM_TEMP_FRAME = Pattern.compile(
      "\\bat java\\.io\\.File\\.createTempFile\\b|\\bat java\\.nio\\.file\\.(?:Files\\.createTemp|TempFileHelper\\.)");
  /** How far below a pathless exception its stack frames are read. */
  private static final int FRAME_WINDOW = 6;

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
      Found found = LineSyntax.read(line).or(() -> nodeErrorObject(lines, at)).or(() -> tempDirInProse(lines, at))
          .map(f -> f.role() == Role.NONE && f.hint() == null ? jvmTempFile(lines, at).orElse(f) : f)
          .orElse(null);
      if (found == null) {
        continue;
      }
      Severity severity = NODE_PATH.matcher(line).find() ? Severity.FATAL : Severity.of(line);
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
  private static boolean coveredByAnother(Need n, java.util.Collection<Ranked> all) {
    return n.directory() != null && all.stream().map(Ranked::need).anyMatch(o -> o.directory() != null
        && !o.directory().equals(n.directory()) && ImageLayout.isAtOrUnder(n.directory(), o.directory())
        && (o.safety() == PathSafety.LEARN || o.safety() == PathSafety.SEED)
        && o.severity().compareTo(n.severity()) <= 0);
  }

  private record Ranked(int order, Need need) {}

  /**
   * "failed to create a temporary file in /tmp" with a read-only reason on a later line (a Java
   * {@code Caused by: ... Read-only file system}); another stated cause in between is no read-only failure.
   */
  private static Optional<Found> tempDirInProse(String[] lines, int at) {
    Matcher m = TEMP_IN_PROSE.matcher(lines[at]);
    if (!m.find()) {
      return Optional.empty();
    }
    for (int j = at + 1; j < Math.min(lines.length, at + CAUSE_WINDOW + 1); j++) {
      if (LineSyntax.statesOtherCause(lines[j])) {
        return Optional.empty();
      }
      if (LineSyntax.READ_ONLY.matcher(lines[j]).find()) {
        String p = PrintedPath.clean(m.group("p"));
        return p == null ? Optional.empty() : Optional.of(new Found(p, Role.TEMP_DIR, null));
      }
    }
    return Optional.empty();
  }

  /** A pathless "IOException: Read-only file system" whose stack shows a JVM creating a temporary file. */
  private static Optional<Found> jvmTempFile(String[] lines, int at) {
    for (int j = at + 1; j < Math.min(lines.length, at + FRAME_WINDOW + 1); j++) {
      if (JVM_TEMP_FRAME.matcher(lines[j]).find()) {
        return Optional.of(new Found(LineSyntax.JAVA_TMPDIR, Role.TEMP_DIR, null));
      }
    }
    return Optional.empty();
  }

  /** A {@code path: '/x'} line of a Node error object whose code is EROFS. */
  private static Optional<Found> nodeErrorObject(String[] lines, int at) {
    Matcher path = NODE_PATH.matcher(lines[at]);
    if (!path.find()) {
      return Optional.empty();
    }
    String syscall = null;
    boolean erofs = false;
    for (int j = Math.max(0, at - NODE_WINDOW); j < Math.min(lines.length, at + NODE_WINDOW + 1); j++) {
      erofs |= NODE_EROFS.matcher(lines[j]).find();
      Matcher s = NODE_SYSCALL.matcher(lines[j]);
      if (s.find()) {
        syscall = s.group("s");
      }
    }
    if (!erofs) {
      return Optional.empty();
    }
    String p = PrintedPath.clean(path.group("p"));
    return p == null ? Optional.empty()
        : Optional.of(new Found(p, "mkdir".equals(syscall) ? Role.MKDIR : Role.FILE, null));
  }

  /** Turns a path as printed into the directory to declare, its field and whether it is safe. */
  static Need resolve(Found f, Severity severity, String line, ContainerDirectories context) {
    if (f.role() == Role.NONE) {
      return new Need(null, null, null, PathSafety.NO_PATH, severity, line, f.hint());
    }
    String printed = f.path() != null ? f.path() : context.tmpDirOrDefault();
    String absolute = printed.startsWith("/") ? ImageLayout.normalise(printed)
        : context.workingDir() != null ? ImageLayout.normalise(context.workingDir() + "/" + printed) : null;
    if (absolute == null) {
      return new Need(ImageLayout.normalise(printed), null, null, PathSafety.RELATIVE, severity, line, null);
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
      case MKDIR -> !ImageLayout.isBroad(parent) && safetyOf(parent) == PathSafety.LEARN ? parent : absolute;
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
      safety = safetyOf(directory);
    }
    String field = tmp ? Need.TMP_PATHS : safety == PathSafety.SEED ? Need.SEED_PATHS : Need.CACHE_PATHS;
    return new Need(absolute, directory, field, safety, severity, line, null);
  }

  /** What an emptyDir at an existing directory {@code dir} would be, from its path alone. */
  private static PathSafety safetyOf(String dir) {
    if (ImageLayout.isRuntimeManaged(dir)) {
      return PathSafety.RUNTIME_MANAGED;
    }
    if (ImageLayout.isOffLimits(dir)) {
      return PathSafety.HIDES_IMAGE_FILES;
    }
    return ImageLayout.holdsImageFiles(dir) ? PathSafety.SEED : PathSafety.LEARN;
  }
}
