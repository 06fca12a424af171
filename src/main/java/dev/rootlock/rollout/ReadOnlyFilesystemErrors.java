package dev.rootlock.rollout;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises "read-only file system" failures (EROFS, errno 30) in a crashed container's last log
 * lines, as nginx, Java, Python, Node, Go, glibc tools and shells print them, and names the path
 * the app needed. Pure: text in, diagnosis out; table-tested with real error lines.
 */
public final class ReadOnlyFilesystemErrors {
  /** Any of the ways runtimes say it. */
  private static final Pattern READ_ONLY = Pattern.compile(
      "read-only file system|\\bEROFS\\b|\\berrno\\W{0,3}30\\b|\\(30: |\\[Errno 30\\]", Pattern.CASE_INSENSITIVE);

  /** Where each runtime puts the path, most specific first; group "path" is the path. */
  private static final List<Pattern> PATHS = List.of(
      // Redis: Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving
      Pattern.compile("in server root dir (?<path>/[^)\\s]+)"),
      // nginx: mkdir() "/var/cache/nginx/client_temp" failed (30: ...); postgres: lock file "/x"
      Pattern.compile("\"(?<path>/[^\"]+)\""),
      // Python: OSError: [Errno 30] Read-only file system: '/app/__pycache__'
      // Node: EROFS: read-only file system, open '/app/.next/cache/x'; coreutils: cannot touch '/x'
      Pattern.compile("'(?<path>/[^']+)'"),
      // Java: java.nio.file.FileSystemException: /tmp/hsperfdata_root: Read-only file system
      // shells: /entrypoint.sh: line 12: /etc/x.conf: Read-only file system; Go: open /data/x: read-only
      // (Go may put the failing call between: listen unix /tmp/app.sock: bind: read-only file system)
      Pattern.compile("(?:^|[\\s:])(?<path>/[^\\s:'\"()]+)(?::(?:\\s*\\w+:)*| \\(|\\s+\\(?)\\s*read-only file system",
          Pattern.CASE_INSENSITIVE),
      // busybox: sh: can't create /var/run/app.pid: Read-only file system; sed: couldn't open temporary file /x
      Pattern.compile("(?:create|file|directory|open|mkdir|touch)\\s+(?<path>/[^\\s:'\"]+)"));

  /** Directories too broad to cover with an emptyDir: mounting over them would hide the image's files. */
  private static final List<String> TOO_BROAD = List.of("/", "/app", "/usr", "/etc", "/opt", "/home", "/var",
      "/srv", "/lib", "/bin", "/sbin", "/root", "/data", "/usr/local", "/usr/share", "/var/lib");

  private ReadOnlyFilesystemErrors() {}

  /**
   * What a read-only-filesystem failure says.
   *
   * @param path the path the app failed to write, or null when the line names none
   * @param directory the directory to declare writable, or null when no path was found
   * @param field {@code tmpPaths} for temporary directories, {@code cachePaths} otherwise
   * @param line the log line it was found in
   */
  public record Diagnosis(String path, String directory, String field, String line) {
    /** "container app failed writing /x/y (read-only file system); add /x to cachePaths". */
    public String message(String container) {
      if (path == null) {
        return "container " + container + " failed writing to its read-only root filesystem (" + line.strip()
            + "); find the directory in its logs and add it to cachePaths or tmpPaths";
      }
      return "container " + container + " failed writing " + path + " (read-only file system); add "
          + directory + " to " + field;
    }
  }

  /** The first read-only-filesystem failure in a termination message (the last log lines), if any. */
  public static Optional<Diagnosis> diagnose(String terminationMessage) {
    if (terminationMessage == null) {
      return Optional.empty();
    }
    Diagnosis pathless = null;
    for (String line : terminationMessage.split("\\R")) {
      if (!READ_ONLY.matcher(line).find()) {
        continue;
      }
      for (Pattern p : PATHS) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          String path = trim(m.group("path"));
          return Optional.of(new Diagnosis(path, directoryFor(path), fieldFor(path), line));
        }
      }
      if (pathless == null) {
        pathless = new Diagnosis(null, null, null, line);
      }
    }
    return Optional.ofNullable(pathless);
  }

  private static String trim(String path) {
    String p = path.replaceAll("[.,;]+$", "");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /**
   * The parent of what failed (a file is created inside its directory, nginx's client_temp inside
   * /var/cache/nginx), unless the parent is too broad to mount over; then the path itself, which an
   * emptyDir can create.
   */
  static String directoryFor(String path) {
    int slash = path.lastIndexOf('/');
    String parent = slash <= 0 ? "/" : path.substring(0, slash);
    return TOO_BROAD.contains(parent) ? path : parent;
  }

  static String fieldFor(String path) {
    return path.equals("/tmp") || path.startsWith("/tmp/") || path.startsWith("/var/tmp") ? "tmpPaths" : "cachePaths";
  }
}
