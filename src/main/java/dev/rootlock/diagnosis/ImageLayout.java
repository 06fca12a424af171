package dev.rootlock.diagnosis;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where container images keep their own files, and so where a plain emptyDir must never be mounted
 * automatically: an emptyDir hides whatever the image had at its mount point, so mounting one over
 * /etc/nginx/conf.d or an app's bin/ directory breaks the app in a new way. Such a directory can be
 * a seeded path instead (an emptyDir filled with the image's files before the app starts), unless
 * it is a whole system tree or too broad to copy. Only the path is known here, so the rules are
 * deliberately conservative: a directory they reject can still be declared by a person who knows
 * the image. {@code rootlock probe} looks into the image instead ({@link ImageContents}); the
 * operator never sees image contents and judges by these rules alone.
 */
public final class ImageLayout {
  /** Trees that hold the image's programs, libraries and configuration. */
  private static final Set<String> SYSTEM_TREES = Set.of("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32",
      "/lib64", "/libx32", "/boot");
  /**
   * Whole system trees: neither a plain nor a seeded emptyDir may replace one (copying /usr would
   * copy the image's every program into memory). Their subdirectories may be seeded.
   */
  private static final Set<String> WHOLE_SYSTEM_TREES = Set.of("/", "/etc", "/usr", "/bin", "/sbin", "/lib",
      "/lib32", "/lib64", "/libx32", "/boot", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64",
      "/usr/libx32", "/usr/libexec");
  /** Too broad to mount over: each holds the image's files or other apps' directories. */
  private static final Set<String> BROAD = Set.of("/", "/opt", "/srv", "/app", "/home", "/root", "/var",
      "/var/lib", "/var/www", "/data", "/usr/local", "/usr/share", "/mnt", "/media", "/workspace", "/src");
  /**
   * Broad for choosing a directory (mkdir /data/x declares /data/x), but by convention an empty
   * volume mount point (Redis, many official images declare VOLUME /data), so not an image's files.
   */
  private static final String VOLUME_ROOT = "/data";
  /** Where apps are installed, one directory each (/app/code, /opt/keycloak, /srv/app). */
  private static final Set<String> APP_ROOTS = Set.of("/app", "/opt", "/srv", "/usr/local", "/var/www", "/workspace",
      "/src");
  /** Directory names that hold an app's programs, libraries, configuration or served content. */
  private static final Set<String> IMAGE_SEGMENTS = Set.of("bin", "sbin", "lib", "libexec", "conf", "conf.d",
      "config", "etc", "scripts", "html", "htdocs");
  /** Trees the container runtime manages; the API rejects emptyDirs there. */
  private static final Set<String> RUNTIME_TREES = Set.of("/proc", "/sys", "/dev");
  /**
   * Mounted by the kubelet into every container: the service account token (under both spellings
   * of the run directory) and the files it writes for name resolution.
   */
  private static final Set<String> KUBELET_MOUNTS = Set.of("/run/secrets", "/var/run/secrets");
  private static final Set<String> KUBELET_FILES = Set.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf");
  /**
   * Caches of build and package tools, as path segments: a failure anywhere below one declares the
   * tool's cache directory (npm fails under ~/.npm/_cacache/tmp and ~/.npm/_logs: ~/.npm is the
   * one directory to declare). npm's _cacache and _logs name their parent when the cache was moved.
   */
  private static final List<List<String>> TOOL_CACHES = List.of(List.of(".npm"), List.of(".m2"), List.of(".cargo"),
      List.of(".gradle"), List.of(".yarn"), List.of(".cache", "pip"), List.of(".cache", "yarn"),
      List.of(".cache", "go-build"), List.of(".cache", "huggingface"), List.of("go", "pkg", "mod"));
  private static final Set<String> NPM_CACHE_CHILDREN = Set.of("_cacache", "_logs");
  /**
   * Hugging Face's hub cache (HF_HUB_CACHE, ~/.cache/huggingface/hub unless moved) holds one
   * directory per repository, named by its kind: a failure inside one declares the hub cache.
   */
  private static final List<String> HF_REPO_PREFIXES = List.of("models--", "datasets--", "spaces--");
  /**
   * Cargo's registry in CARGO_HOME (~/.cargo unless moved): registry/{cache,index,src}/ then one
   * directory per source, named with its hash (index.crates.io-1949cf8c6b5b557f). The parent of
   * registry/ is CARGO_HOME.
   */
  private static final Set<String> CARGO_REGISTRY_PARTS = Set.of("cache", "index", "src");
  private static final Pattern CARGO_SOURCE = Pattern.compile(".+-[0-9a-f]{16}");

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

  /**
   * True when {@code dir} is an app's own directory: directly under a place apps are installed
   * (/app, /opt, /srv, /usr/local, /var/www, /workspace, /src) or a home directory. It holds the
   * app's code, so a directory created inside it is declared itself, never this one.
   */
  static boolean isAppDirectory(String dir) {
    String parent = parent(dir);
    return !dir.equals("/") && (APP_ROOTS.contains(parent) || isHome(parent));
  }

  /** /root, or /home/NAME. */
  static boolean isHome(String dir) {
    return dir.equals("/root") || (dir.startsWith("/home/") && dir.indexOf('/', 6) < 0 && dir.length() > 6);
  }

  /**
   * True when no emptyDir may be mounted at {@code dir} (normalised, absolute) automatically, not
   * even a seeded one: a whole system tree, or a directory whose subdirectories are other apps' or
   * users' own (/var/lib, /opt, a home directory), too broad to hide or to copy.
   */
  public static boolean isOffLimits(String dir) {
    return isWholeSystemTree(dir) || (isBroad(dir) && !dir.equals(VOLUME_ROOT));
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

  /**
   * True when {@code dir} is under /proc, /sys or /dev, is the service account token's directory
   * or below it, or is one of the files the kubelet writes (/etc/hosts, /etc/hostname,
   * /etc/resolv.conf).
   */
  public static boolean isRuntimeManaged(String dir) {
    return underAny(dir, RUNTIME_TREES) || underAny(dir, KUBELET_MOUNTS) || KUBELET_FILES.contains(dir);
  }

  /** True for "/" and the roots of system trees (/etc, /usr, /usr/lib, ...): never replaced, not even seeded. */
  public static boolean isWholeSystemTree(String dir) {
    return WHOLE_SYSTEM_TREES.contains(dir);
  }

  /**
   * True when {@code dir} (normalised, absolute) probably holds the image's own files: it lies in a
   * system tree, is named like a directory of programs, libraries, configuration or served
   * content, or holds what a build step put there (Symfony's {@code var/cache/prod}, Laravel's
   * {@code bootstrap/cache}, TYPO3's {@code typo3conf}, a release's {@code releases/}).
   */
  public static boolean holdsImageFiles(String dir) {
    return holdsImageFilesByName(dir) || holdsBuildOutput(dir);
  }

  private static boolean holdsBuildOutput(String dir) {
    List<String> s = segments(dir);
    for (int i = 0; i < s.size(); i++) {
      if (s.get(i).equals("typo3conf") || s.get(i).equals("releases")) {
        return true;
      }
      // an app's own var/cache (not the system's /var/cache) and Laravel's bootstrap/cache
      if (i >= 2 && s.get(i).equals("cache") && s.get(i - 1).equals("var")) {
        return true;
      }
      if (i >= 1 && s.get(i).equals("cache") && s.get(i - 1).equals("bootstrap")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The cache directory of the build or package tool {@code dir} lies in ({@code /root/.npm} for
   * {@code /root/.npm/_cacache/tmp}, {@code /mnt/cache/hub} for {@code /mnt/cache/hub/models--x/blobs},
   * {@code /cargo-home} for {@code /cargo-home/registry/cache/index.crates.io-1949cf8c6b5b557f}),
   * or null when it lies in none.
   */
  public static String toolCacheRoot(String dir) {
    List<String> s = segments(dir);
    for (int i = 0; i < s.size(); i++) {
      String segment = s.get(i);
      if (i > 0 && (NPM_CACHE_CHILDREN.contains(segment) || HF_REPO_PREFIXES.stream().anyMatch(segment::startsWith)
          || isCargoRegistry(s, i))) {
        return join(s.subList(0, i));
      }
      for (List<String> marker : TOOL_CACHES) {
        if (i + marker.size() <= s.size() && s.subList(i, i + marker.size()).equals(marker)) {
          return join(s.subList(0, i + marker.size()));
        }
      }
    }
    return null;
  }

  private static boolean isCargoRegistry(List<String> s, int i) {
    return s.get(i).equals("registry") && i + 2 < s.size() && CARGO_REGISTRY_PARTS.contains(s.get(i + 1))
        && CARGO_SOURCE.matcher(s.get(i + 2)).matches();
  }

  private static List<String> segments(String dir) {
    return dir.equals("/") ? List.of() : Arrays.asList(dir.substring(1).split("/"));
  }

  private static String join(List<String> segments) {
    return "/" + String.join("/", segments);
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
