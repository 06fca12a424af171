package dev.rootlock.diagnosis;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How runtimes print a failed write: where the path sits in the line and what the program was
 * doing with it. Each syntax below was taken from real output (the test table names the sources).
 */
final class LineSyntax {
  /** What the failing call did with the path, which decides the directory to declare. */
  enum Role {
    /** Wrote, created or opened a file: its parent directory must be writable. */
    FILE,
    /** Created a directory: its parent, unless the parent is broad (then the directory itself). */
    MKDIR,
    /** Changed the path itself (chmod, chown) or named it as a data directory. */
    SELF,
    /** The program's temporary directory. */
    TEMP_DIR,
    /** A build or package tool's cache directory, named as such (Go's GOCACHE): declared itself. */
    CACHE_ROOT,
    /** Not said: a file when the name has an extension, else treated like MKDIR. */
    UNKNOWN,
    /** Nothing to write: the failure names no path. */
    NONE
  }

  /**
   * One failed write found in a line.
   *
   * @param path the path as printed, cleaned of quoting and trailing punctuation; null for NONE
   * @param hint a known fix for failures without a path; for a relative path printed by a program
   *     that changed directory first, where it changed into (in words); else null
   */
  record Found(String path, Role role, String hint) {}

  /** Any of the ways runtimes say EROFS (errno 30). */
  static final Pattern READ_ONLY = Pattern.compile("(?i)read-?only file ?system|\\bEROFS\\b|\\berrno\\W{0,3}30\\b"
      + "|\\(30: |Errcode: 30\\b|\\bcode: 30\\b|ReadOnlyFilesystem|errno: -30\\b");

  /** A line that states another cause: implicit patterns (a pid file, a temp file) do not apply. */
  private static final Pattern OTHER_CAUSE = Pattern.compile("(?i)no space left|permission denied|no such file"
      + "|not permitted|file exists|too many open files|quota exceeded");
  /**
   * The kubelet's or the container engine's own mount errors quote the same errno, but are not
   * something the app wrote: they never belong to the app's diagnosis.
   */
  private static final Pattern NOT_THE_APP = Pattern.compile("MountVolume\\.\\w+ failed|Error response from daemon");

  /** A quoted token in any runtime's quoting: "x", 'x', GNU's ‘x’ (UTF-8) and `x' (C locale). */
  private static final String QUOTED = "(?:\"(?<q1>[^\"\\s]+)\"|'(?<q2>[^'\\s]+)'|‘(?<q3>[^’\\s]+)’|`(?<q4>[^'`\\s]+)')";
  private static final Pattern QUOTED_TOKEN = Pattern.compile(QUOTED);
  private static final Pattern MKDIR_WORDS = Pattern.compile(
      "(?i)mkdir|makedirs|create (?:the )?(?:\\w+ )?dir(?:ectory)?\\b");
  private static final Pattern FILE_WORDS = Pattern.compile(
      "(?i)\\bfile\\b|open|writ(?:e|ing)|creat|touch|renam|remov|unlink|\\blog\\b");

  /**
   * Where a JVM's temporary files go when output names no path: java.io.tmpdir's default on Linux.
   * A -Djava.io.tmpdir set elsewhere is not visible in the output; $TMPDIR does not move it.
   */
  static final String JAVA_TMPDIR = "/tmp";

  private static final String DOTNET_HINT = "the .NET runtime needs a writable /tmp for its diagnostics: add /tmp "
      + "to tmpPaths, or set DOTNET_EnableDiagnostics=0 in the container's environment";

  /** Failures that never say "read-only" but mean it; checked first on every line. */
  private static final List<Syntax> IMPLICIT = List.of(
      // Python tempfile: No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/src']
      new Syntax("No usable temporary directory found in \\[(?<list>[^\\]]*)\\]",
          (m, before) -> firstQuoted(m.group("list")).map(p -> new Found(p, Role.TEMP_DIR, null))),
      // Spring Boot / Tomcat: Unable to create tempDir. java.io.tmpdir is set to /tmp
      new Syntax("java\\.io\\.tmpdir is set to (?<p>[^\\s,;]+)", (m, before) -> temp(m.group("p"))),
      // Quarkus: Temporary directory /tmp does not exist and it was not possible to create it
      new Syntax("Temporary directory (?<p>\\S+) does not exist and it was not possible to create it",
          (m, before) -> temp(m.group("p"))),
      // bash and dash: cannot create temp file for here-document: Read-only file system
      new Syntax("cannot create temp file for here.?document",
          (m, before) -> Optional.of(new Found(null, Role.TEMP_DIR, null))),
      // nginx, daemons: could not write pidfile /run/app.pid
      new Syntax("(?i)(?:could not|couldn't|can't|cannot|unable to) (?:write|create|open) pid ?file:? [\"']?"
          + "(?<p>[^\\s\"':]+)",
          (m, before) -> Optional.of(new Found(m.group("p"), Role.FILE, null))),
      // JVM: java.lang.IllegalStateException: Failed to create temporary directory. (no path: java.io.tmpdir)
      new Syntax("\\bjava\\.[\\w.$]+(?:Exception|Error): Failed to create temp(?:orary)? dir(?:ectory)?\\b",
          (m, before) -> temp(JAVA_TMPDIR)),
      // .NET: Failed to create CoreCLR, HRESULT: 0x8007000E (no path; the fix is known)
      new Syntax("Failed to (?:create|initialize) CoreCLR, HRESULT: 0x(?:8007000E|80004005)",
          (m, before) -> Optional.of(new Found(null, Role.NONE, DOTNET_HINT))));

  /** Where the path sits in a line that says read-only, most specific syntax first. */
  private static final List<Syntax> SYNTAXES = List.of(
      // Go names GOCACHE, then the mkdir that failed, often a parent of it: "failed to initialize build
      // cache at /home/x/.cache/go-build: mkdir /home/x/.cache: ..."; "go: disabling cache (/x) due to ..."
      new Syntax("(?:build cache at|disabling cache \\()\\s*(?<p>/[^\\s:)]+)",
          (m, before) -> found(m.group("p"), Role.CACHE_ROOT)),
      // Apache APR: (30)Read-only file system: AH00091: apache2: could not open error log file /var/log/x.log.
      new Syntax("\\(30\\)\\s*Read-only file system:\\s*(?:AH\\d+:\\s*)?(?<what>[^/]*?)(?<p>/[^\\s'\"]+)",
          (m, before) -> found(m.group("p"), MKDIR_WORDS.matcher(m.group("what")).find() ? Role.MKDIR : Role.FILE)),
      // C library calls as daemons log them, flags and all: open(/var/lib/php5/sess_x, O_RDWR) failed;
      // unlink(/var/cache/man/ja/index.db): ...; utimensat(/var/cache/man/pt_BR): ...
      new Syntax("\\b(?<op>f?open|openat|creat|unlink|unlinkat|rename|renameat|rmdir|mkdir|mkdirat|utimensat|utimes"
          + "|chmod|fchmodat|chown|lchown|link|symlink|truncate)\\((?<p>/[^,)\\s]+)(?:,[^)]*)?\\)",
          (m, before) -> found(m.group("p"), switch (m.group("op")) {
            case "mkdir", "mkdirat" -> Role.MKDIR;
            case "utimensat", "utimes", "chmod", "fchmodat", "chown", "lchown" -> Role.SELF;
            default -> Role.FILE;
          })),
      // postfix: create file maildrop/615227.4142: ... (relative to the directory it changed into)
      new Syntax("(?i)\\bcreate file (?<p>[\\w.+@~-]+/[^\\s:'\"]*):",
          (m, before) -> found(m.group("p"), Role.FILE)),
      // Redis: Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving
      new Syntax("in server root dir (?<p>/[^)\\s]+)", (m, before) -> found(m.group("p"), Role.SELF)),
      // Ruby: Read-only file system @ rb_sysopen - tmp/pids/server.pid; @ dir_s_mkdir - /app/tmp
      new Syntax("@ (?<op>\\w+) - (?<p>[^\\s()]+)",
          (m, before) -> found(m.group("p"), m.group("op").contains("mkdir") ? Role.MKDIR : Role.FILE)),
      // PHP: file_put_contents(/var/task/storage/x.php): Failed to open stream: Read-only file system
      new Syntax("\\w+\\((?<p>/[^)\\s]+)\\): [Ff]ailed to open stream", (m, before) -> found(m.group("p"), Role.FILE)),
      // Redis: Failed opening .rdb for saving (relative to its working directory)
      new Syntax("Failed opening (?<p>[^\\s(]+) for saving", (m, before) -> found(m.group("p"), Role.FILE)),
      // mv: inter-device move failed: '/tmp/x' to '/etc/x'; unable to remove target: the target failed
      new Syntax(QUOTED + " to " + QUOTED.replace("q1", "t1").replace("q2", "t2").replace("q3", "t3")
          .replace("q4", "t4"), (m, before) -> found(firstGroup(m, "t1", "t2", "t3", "t4"), Role.FILE)),
      // busybox: chown: /var/run/postgresql: Read-only file system (the path itself changes)
      new Syntax("\\b(?:chown|chmod|chgrp): (?<p>/[^\\s:'\"]+): ", (m, before) -> found(m.group("p"), Role.SELF)),
      // s6, daemons: unable to mkdir .s6-svscan: ...; Unable to write pid to raveloxmidi.pid: ...
      new Syntax("(?i)unable to (?<op>mkdir|create|open|write(?: \\w+)? to|write) (?<p>[^\\s:'\"]+): ",
          (m, before) -> found(m.group("p"), m.group("op").equals("mkdir") ? Role.MKDIR : Role.FILE)),
      // wget: Cannot write to 'tnyga' (Read-only file system)
      new Syntax("(?i)(?:cannot|can't|could not|couldn't|failed to) (?:write to|write|create|open)(?: file)? "
          + QUOTED, (m, before) -> found(quoted(m), Role.FILE)),
      // nginx: mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)
      new Syntax("\\b(?<op>\\w+)\\(\\) \"(?<p>[^\"]+)\" failed",
          (m, before) -> found(m.group("p"), m.group("op").equals("mkdir") ? Role.MKDIR : Role.FILE)),
      // coreutils: chmod: changing permissions of ‘/run/postgresql’: Read-only file system
      new Syntax("(?i)(?:changing (?:permissions|ownership) of|setting times of|chmod|chown)\\s+" + QUOTED,
          (m, before) -> found(quoted(m), Role.SELF)),
      // coreutils mktemp: failed to create directory via template tmp.XXXXXXXXXX (relative: in the cwd)
      new Syntax("(?i)failed to create (?<what>file|directory) via template\\s+(?:" + QUOTED + "|(?<bare>[^\\s:'\"]+))",
          (m, before) -> found(m.group("bare") != null ? m.group("bare") : quoted(m),
              m.group("what").equalsIgnoreCase("directory") ? Role.MKDIR : Role.FILE)),
      // coreutils, busybox, apps: mkdir: cannot create directory '/var/cache/app'
      new Syntax("(?i)(?:cannot|can't|could not|couldn't|failed to|unable to) (?:create|make) (?:the )?"
          + "(?:\\w+ )?dir(?:ectory)?:?\\s+(?:" + QUOTED + "|(?<bare>/[^\\s:'\"]+))",
          (m, before) -> found(m.group("bare") != null ? m.group("bare") : quoted(m), Role.MKDIR)),
      // Node: Error: EROFS: read-only file system, open '/app/.next/cache/x'
      new Syntax("EROFS: read-only file system, (?<op>\\w+) '(?<p>[^']+)'",
          (m, before) -> found(m.group("p"), m.group("op").equals("mkdir") ? Role.MKDIR : Role.FILE)),
      // Python: OSError: [Errno 30] Read-only file system: '/app/__pycache__'
      new Syntax("\\[Errno 30\\][^']*'(?<p>[^']+)'", (m, before) -> found(m.group("p"),
          MKDIR_WORDS.matcher(before).find() ? Role.MKDIR : Role.UNKNOWN)),
      // MySQL/MariaDB: Can't create/write to file './ddl_recovery.log' (Errcode: 30 "Read-only file system")
      new Syntax("(?i)(?:create/write to file|open file|create file|write to file)\\s+" + QUOTED,
          (m, before) -> found(quoted(m), Role.FILE)),
      // Go, logfmt: open /data/x: read-only file system; err="mkdir /x: read-only file system";
      // listen unix /tmp/app.sock: bind: read-only file system
      goOp("/[^\\s:\"']+"),
      // Any quoted path; the words before it say whether a file or a directory was made.
      new Syntax(QUOTED, (m, before) -> {
        String p = quoted(m);
        return PrintedPath.looksLikePath(p) ? found(p, roleFromWords(before)) : Optional.empty();
      }),
      // Java, shells, busybox: /tmp/hsperfdata_root: Read-only file system; can't create /x: Read-only
      new Syntax("(?<![\\w.~-])(?<p>/[^\\s:'\"()]+)(?::\\s*(?:[\\w ]+:\\s*)*|\\s*\\(|\\s+)"
          + "(?i:read-?only file ?system|EROFS)",
          (m, before) -> found(m.group("p"), roleFromWords(before))),
      // sed: couldn't open temporary file /etc/nginx/sedX1Y2Z3
      new Syntax("(?i)(?:create|open|touch|write to|writing|opening|delete|remove)\\s+(?:\\w+ )?(?:file\\s+)?"
          + "(?<p>/[^\\s:'\"]+)",
          (m, before) -> found(m.group("p"), Role.FILE)),
      // Go with a relative file name, only when no absolute path was found: open adapter.log: ...
      goOp("[\\w.-]+\\.[A-Za-z]\\w{0,7}"));

  /** Go's {@code op path: error}, the op deciding the role; {@code path} is the path's regex. */
  private static Syntax goOp(String path) {
    // no \\b before the op: one real logger glues it to the word before ("logfileopen adapter.log")
    return new Syntax("(?<![/-])(?<op>open|openat|mkdir|mkdirat|remove|unlinkat|rename|chmod|chown|symlink|link"
        + "|truncate|mkdtemp|unix|create|write)\\s+(?<p>" + path + "):",
        (m, before) -> found(m.group("p"), switch (m.group("op")) {
          case "mkdir", "mkdirat" -> Role.MKDIR;
          case "chmod", "chown" -> Role.SELF;
          default -> Role.FILE;
        }));
  }

  /** Reads one match; {@code before} is the line's text before the match. */
  private interface Reader {
    Optional<Found> read(Matcher m, String before);
  }

  private record Syntax(Pattern pattern, Reader reader) {
    Syntax(String regex, Reader reader) {
      this(Pattern.compile(regex), reader);
    }

    /** Every match in the line until one yields a path. */
    Optional<Found> find(String line) {
      Matcher m = pattern.matcher(line);
      while (m.find()) {
        Optional<Found> f = reader.read(m, line.substring(0, m.start()));
        if (f.isPresent()) {
          return f;
        }
      }
      return Optional.empty();
    }
  }

  private LineSyntax() {}

  /**
   * The failed write one line reports, if any: an implicit failure (a temp directory, a pid file,
   * .NET), else, when the line says read-only, the path in the first syntax that finds one, else a
   * failure without a path.
   */
  static Optional<Found> read(String line) {
    if (NOT_THE_APP.matcher(line).find()) {
      return Optional.empty();
    }
    for (Syntax s : OTHER_CAUSE.matcher(line).find() ? List.<Syntax>of() : IMPLICIT) {
      Optional<Found> f = s.find(line);
      if (f.isPresent()) {
        return f;
      }
    }
    if (!READ_ONLY.matcher(line).find()) {
      return Optional.empty();
    }
    for (Syntax s : SYNTAXES) {
      Optional<Found> f = s.find(line);
      if (f.isPresent()) {
        return f.map(found -> ChangedDirectory.relativeTo(found, line));
      }
    }
    return Optional.of(new Found(null, Role.NONE, null));
  }

  /** True when {@code line} states a cause other than a read-only file system (permission, space, ...). */
  static boolean statesOtherCause(String line) {
    return OTHER_CAUSE.matcher(line).find();
  }

  private static Optional<Found> found(String raw, Role role) {
    String p = PrintedPath.clean(raw);
    // a path cut short ("/var/cache/ngi…") names only its complete directories, and the last of
    // those is what is known to need writing
    Role r = PrintedPath.isCutShort(raw) ? Role.SELF : role;
    return p == null ? Optional.empty() : Optional.of(new Found(p, r, null));
  }

  private static Optional<Found> temp(String raw) {
    return found(raw, Role.TEMP_DIR);
  }

  private static Role roleFromWords(String before) {
    if (MKDIR_WORDS.matcher(before).find()) {
      return Role.MKDIR;
    }
    return FILE_WORDS.matcher(before).find() ? Role.FILE : Role.UNKNOWN;
  }

  private static String quoted(Matcher m) {
    return firstGroup(m, "q1", "q2", "q3", "q4");
  }

  private static String firstGroup(Matcher m, String... groups) {
    for (String g : groups) {
      if (m.group(g) != null) {
        return m.group(g);
      }
    }
    return null;
  }

  private static Optional<String> firstQuoted(String list) {
    Matcher m = QUOTED_TOKEN.matcher(list);
    return m.find() ? Optional.ofNullable(quoted(m)) : Optional.empty();
  }

}
