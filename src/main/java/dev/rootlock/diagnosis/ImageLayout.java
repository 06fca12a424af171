package dev.rootlock.diagnosis;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Where container images keep their own files, and so where an emptyDir must never be mounted
 * automatically: an emptyDir hides whatever the image had at its mount point, so mounting one over
 * /etc/nginx/conf.d or an app's bin/ directory breaks the app in a new way. Only the path is known
 * here (the operator never sees image contents), so the rules are deliberately conservative: a
 * directory they reject can still be declared by a person who knows the image.
 */
public final class ImageLayout {
  /** Trees that hold the image's programs, libraries and configuration. */
  private static final Set<String> SYSTEM_TREES = Set.of("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32",
      "/lib64", "/libx32", "/boot");
  /** Too broad to mount over: each holds the image's files or other apps' directories. */
  private static final Set<String> BROAD = Set.of("/", "/opt", "/srv", "/app", "/home", "/root", "/var",
      "/var/lib", "/var/www", "/data", "/usr/local", "/usr/share", "/mnt", "/media", "/workspace", "/src");
  /**
   * Broad for choosing a directory (mkdir /data/x declares /data/x), but by convention an empty
   * volume mount point (Redis, many official images declare VOLUME /data), so not an image's files.
   */
  private static final String VOLUME_ROOT = "/data";
  /** Directory names that hold an app's programs, libraries, configuration or served content. */
  private static final Set<String> IMAGE_SEGMENTS = Set.of("bin", "sbin", "lib", "libexec", "conf", "conf.d",
      "config", "etc", "scripts", "html", "htdocs");
  /** Trees the container runtime manages; the API rejects emptyDirs there. */
  private static final Set<String> RUNTIME_TREES = Set.of("/proc", "/sys", "/dev");

  private ImageLayout() {}

  /**
   * {@code path} with ".", ".." and repeated or trailing slashes resolved: "/a//b/../c/" is "/a/c".
   * A relative path stays relative ("./x/../y" is "y"); ".." above the root stays at the root.
   */
  public static String normalise(String path) {
    boolean absolute = path.startsWith("/");
    Deque<String> parts = new ArrayDeque<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
          parts.removeLast();
        } else if (!absolute) {
          parts.addLast("..");
        }
        continue;
      }
      parts.addLast(segment);
    }
    String joined = String.join("/", parts);
    return absolute ? "/" + joined : joined.isEmpty() ? "." : joined;
  }

  /** The parent directory of a normalised absolute path; "/" for "/" and its children. */
  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** A directory whose subdirectories are other apps' or users' own: "/", /var/lib, a home directory. */
  static boolean isBroad(String dir) {
    return BROAD.contains(dir) || isHome(dir);
  }

  /** /root, or /home/NAME. */
  static boolean isHome(String dir) {
    return dir.equals("/root") || (dir.startsWith("/home/") && dir.indexOf('/', 6) < 0 && dir.length() > 6);
  }

  /** True when an emptyDir at {@code dir} (normalised, absolute) would hide files the image ships. */
  public static boolean hidesImageFiles(String dir) {
    return (isBroad(dir) && !dir.equals(VOLUME_ROOT)) || holdsImageFilesByName(dir);
  }

  /**
   * True when {@code dir} lies in a system tree or is named like a directory of programs,
   * libraries or configuration: wrong to make writable even where the image has nothing yet.
   */
  static boolean holdsImageFilesByName(String dir) {
    if (underAny(dir, SYSTEM_TREES)) {
      return true;
    }
    // /var/lib's own "lib" names the state tree, not a library directory
    String rest = dir.startsWith("/var/lib/") ? dir.substring("/var/lib".length()) : dir;
    for (String segment : rest.substring(1).split("/")) {
      if (IMAGE_SEGMENTS.contains(segment)) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code dir} lies under /proc, /sys or /dev. */
  public static boolean isRuntimeManaged(String dir) {
    return underAny(dir, RUNTIME_TREES);
  }

  /** True when {@code dir} is {@code tree} or lies below it. */
  public static boolean isAtOrUnder(String dir, String tree) {
    return dir.equals(tree) || dir.startsWith(tree.endsWith("/") ? tree : tree + "/");
  }

  private static boolean underAny(String dir, Set<String> trees) {
    for (String tree : trees) {
      if (isAtOrUnder(dir, tree)) {
        return true;
      }
    }
    return false;
  }
}
