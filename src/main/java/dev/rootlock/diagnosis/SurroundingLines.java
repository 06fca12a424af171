package dev.rootlock.diagnosis;

import dev.rootlock.diagnosis.LineSyntax.Found;
import dev.rootlock.diagnosis.LineSyntax.Role;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failures whose path, reason or role is spread over several lines: Node's error object, a
 * temporary directory named in prose with the read-only reason further down, an error chain whose
 * last link is the bare reason (Rust's {@code Caused by:} and numbered causes: the link above
 * names the path), and a JVM's stack frames, which say what a pathless or role-less exception
 * line was doing.
 *
 * <p>A JVM program is recognised only from its own output: Java stack frames
 * ({@code at java.io.File.createTempFile(...)}, with or without the {@code java.base/} module
 * prefix) below the failure, or a {@code java.*} exception class on the failing line itself
 * ({@link LineSyntax}'s pathless "Failed to create temporary directory"). Nothing else (an image
 * name, a file extension) makes a failure a JVM's.
 */
final class SurroundingLines {
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
  /** A JVM frame's start, with the module prefix Java 9+ prints ({@code at java.base/java.io.File...}). */
  private static final String FRAME = "\\bat (?:java\\.base/)?";
  /** A JVM creating a temporary file in java.io.tmpdir: the frames below a pathless IOException. */
  private static final Pattern JVM_TEMP_FRAME = Pattern.compile(
      FRAME + "(?:java\\.io\\.File\\.createTempFile\\b|java\\.nio\\.file\\.(?:Files\\.createTemp|TempFileHelper\\.))");
  /** A JVM creating a directory: the path on the exception line is that directory. */
  private static final Pattern JVM_MKDIR_FRAME = Pattern.compile(
      FRAME + "(?:java\\.nio\\.file\\.Files\\.createDirector(?:y|ies)\\b|sun\\.nio\\.fs\\.\\w+Provider\\.createDirectory\\b"
          + "|java\\.io\\.File\\.mkdirs?\\b)");
  /** How far below an exception line its stack frames are read. */
  private static final int FRAME_WINDOW = 6;
  /** A line that is the read-only reason and nothing else: the last link of an error chain. */
  private static final Pattern BARE_REASON = Pattern.compile("(?i)^\\s*(?:\\d+:\\s*|(?:error|caused by)\\s*:\\s*)*"
      + "(?:read-only file system|EROFS)(?:\\s*\\((?:os error|errno) 30\\))?[.\\s]*$");
  /** A chain's header or blank line between the context and its reason. */
  private static final Pattern CHAIN_FILLER = Pattern.compile("(?i)^\\s*(?:caused by\\s*:)?\\s*$");
  /** The link above the reason: what was being done, and to which path ({@code failed to open: /x}, {@code Creating directory `/nix`}). */
  private static final Pattern CHAIN_CONTEXT = Pattern.compile("(?i)\\b(?<verb>creat(?:e|ing)|open(?:ing)?|writ(?:e|ing)"
      + "|mkdir|remov(?:e|ing)|renam(?:e|ing))\\b(?<what>[^/`'\"]{0,30}?)[`'\"]?(?<p>/[^\\s`'\"]+)");
  /** How far above the reason its context may be, fillers included. */
  private static final int CHAIN_WINDOW = 4;

  private SurroundingLines() {}

  /** True for a Node error object's {@code path: '/x'} line, which is always the fatal error. */
  static boolean isNodePathLine(String line) {
    return NODE_PATH.matcher(line).find();
  }

  /**
   * What the surrounding lines add to the failure found on {@code lines[at]}: a JVM's temporary
   * directory for a pathless failure whose frames create a temporary file, a created directory for
   * a path whose frames create a directory (the line's words cannot say: "java.nio.file.FileSystemException"
   * reads as a file), the path of an error chain's context for a bare reason; else {@code f}.
   */
  static Found complete(Found f, String[] lines, int at) {
    return withContextAbove(withJavaFrames(f, lines, at), lines, at);
  }

  /**
   * The path of an error chain's context for a line that is only the read-only reason; else {@code f}.
   * Only the nearest link above counts, past blank lines and {@code Caused by:} headers.
   */
  private static Found withContextAbove(Found f, String[] lines, int at) {
    if (f.role() != Role.NONE || f.hint() != null || !BARE_REASON.matcher(lines[at]).find()) {
      return f;
    }
    for (int j = at - 1; j >= Math.max(0, at - CHAIN_WINDOW); j--) {
      if (CHAIN_FILLER.matcher(lines[j]).matches()) {
        continue;
      }
      Matcher m = CHAIN_CONTEXT.matcher(lines[j]);
      String p = m.find() ? PrintedPath.clean(m.group("p")) : null;
      if (p == null) {
        return f;
      }
      boolean dir = m.group("verb").equalsIgnoreCase("mkdir") || m.group("what").toLowerCase().contains("dir");
      return new Found(p, dir ? Role.MKDIR : Role.FILE, null);
    }
    return f;
  }

  private static Found withJavaFrames(Found f, String[] lines, int at) {
    if (f.role() == Role.NONE && f.hint() == null && framesBelow(lines, at, JVM_TEMP_FRAME)) {
      return new Found(LineSyntax.JAVA_TMPDIR, Role.TEMP_DIR, null);
    }
    if ((f.role() == Role.UNKNOWN || f.role() == Role.FILE) && framesBelow(lines, at, JVM_MKDIR_FRAME)) {
      return new Found(f.path(), Role.MKDIR, f.hint());
    }
    return f;
  }

  private static boolean framesBelow(String[] lines, int at, Pattern frame) {
    for (int j = at + 1; j < Math.min(lines.length, at + FRAME_WINDOW + 1); j++) {
      if (frame.matcher(lines[j]).find()) {
        return true;
      }
    }
    return false;
  }

  /**
   * "failed to create a temporary file in /tmp" with a read-only reason on a later line (a Java
   * {@code Caused by: ... Read-only file system}); another stated cause in between is no read-only failure.
   */
  static Optional<Found> tempDirInProse(String[] lines, int at) {
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

  /** A {@code path: '/x'} line of a Node error object whose code is EROFS. */
  static Optional<Found> nodeErrorObject(String[] lines, int at) {
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
}
