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
      Found found = LineSyntax.read(line).or(() -> nodeErrorObject(lines, at)).orElse(null);
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
        .sorted(Comparator.comparing((Ranked r) -> r.need.severity()).thenComparingInt(r -> r.order))
        .map(r -> r.need)
        .toList();
    return new Diagnosis(needs);
  }

  private record Ranked(int order, Need need) {}

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
    String p = LineSyntax.clean(path.group("p"));
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
      case SELF, TEMP_DIR -> absolute;
      case FILE -> parent;
      case MKDIR -> ImageLayout.isBroad(parent) ? absolute : parent;
      default -> LineSyntax.hasExtension(name) || !ImageLayout.isBroad(parent) ? parent : absolute;
    };
    boolean tmp = f.role() == Role.TEMP_DIR || ImageLayout.isAtOrUnder(directory, "/tmp")
        || ImageLayout.isAtOrUnder(directory, "/var/tmp")
        || (context.tmpDir() != null && ImageLayout.isAtOrUnder(directory, context.tmpDir()));
    // A failed mkdir of the directory itself proves the image has nothing there (mkdir reports
    // EEXIST before EROFS), so only the system trees and image-file names count against it.
    boolean created = f.role() == Role.MKDIR && directory.equals(absolute);
    PathSafety safety = ImageLayout.isRuntimeManaged(directory) ? PathSafety.RUNTIME_MANAGED
        : (created ? ImageLayout.holdsImageFilesByName(directory) : ImageLayout.hidesImageFiles(directory))
            ? PathSafety.HIDES_IMAGE_FILES : PathSafety.LEARN;
    return new Need(absolute, directory, tmp ? Need.TMP_PATHS : Need.CACHE_PATHS, safety, severity, line, null);
  }
}
