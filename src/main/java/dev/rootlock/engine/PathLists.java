package dev.rootlock.engine;

import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.diagnosis.ImageLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec's three path lists (spec.tmpPaths, spec.cachePaths, spec.seedPaths) validated and
 * normalised, and the rule each path must meet, which learned paths meet too.
 */
final class PathLists {
  /** At most this many paths in the three lists together. */
  static final int MAX_PATHS = 32;
  private static final List<String> FORBIDDEN_ROOTS = List.of("/proc", "/sys", "/dev");

  private PathLists() {}

  /**
   * @param plain tmp and cache paths, sorted so that a parent comes before the paths below it
   * @param seeded seeded paths, sorted the same way
   */
  record Declared(List<WritablePath> plain, List<WritablePath> seeded) {}

  /**
   * Reads the three lists of {@code s} (tmpPaths defaulting to {@link PolicyRules#DEFAULT_TMP_PATHS}),
   * adding to {@code errors} one {@link SpecError} per bad entry, named {@code spec.<list>[i]}: an
   * invalid path, a path declared twice (in any list), more than {@link #MAX_PATHS} in all.
   */
  static Declared read(ReadOnlyPolicySpec s, List<SpecError> errors) {
    List<String> tmp = s.getTmpPaths() == null ? PolicyRules.DEFAULT_TMP_PATHS : s.getTmpPaths();
    List<String> cache = s.getCachePaths() == null ? List.of() : s.getCachePaths();
    List<String> seed = s.getSeedPaths() == null ? List.of() : s.getSeedPaths();
    List<WritablePath> plain = new ArrayList<>();
    List<WritablePath> seeded = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    collect(tmp, WritablePath.Kind.TMP, plain, seen, errors);
    collect(cache, WritablePath.Kind.CACHE, plain, seen, errors);
    collect(seed, WritablePath.Kind.SEED, seeded, seen, errors);
    int count = tmp.size() + cache.size() + seed.size();
    if (count > MAX_PATHS) {
      errors.add(new SpecError("spec.tmpPaths", "tmpPaths, cachePaths and seedPaths together name " + count
          + " paths; at most " + MAX_PATHS + " are allowed"));
    }
    plain.sort(Comparator.comparing(WritablePath::path));
    seeded.sort(Comparator.comparing(WritablePath::path));
    return new Declared(plain, seeded);
  }

  /** Why {@code path} cannot be declared as a path of {@code kind}, or null when it can. */
  static String problem(String path, WritablePath.Kind kind) {
    return kind == WritablePath.Kind.SEED ? seedPathProblem(path) : pathProblem(path);
  }

  private static void collect(List<String> raw, WritablePath.Kind kind, List<WritablePath> out,
      Map<String, String> seen, List<SpecError> errors) {
    for (int i = 0; i < raw.size(); i++) {
      String field = "spec." + kind.field() + "[" + i + "]";
      String problem = problem(raw.get(i), kind);
      if (problem != null) {
        errors.add(new SpecError(field, problem));
        continue;
      }
      String path = Paths.normalize(raw.get(i));
      String first = seen.putIfAbsent(path, field);
      if (first != null) {
        errors.add(new SpecError(field, path + " is already declared at " + first
            + (kind == WritablePath.Kind.SEED && !first.startsWith("spec.seedPaths")
                ? "; a seeded path may not also be a tmp or cache path" : "")));
        continue;
      }
      out.add(new WritablePath(path, kind));
    }
  }

  /** Why {@code path} cannot be a tmp or cache path, or null. */
  static String pathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return "a path must not be empty";
    }
    if (!path.startsWith("/")) {
      return "\"" + path + "\" is relative; use an absolute path such as /" + path;
    }
    String p = Paths.normalize(path);
    if (p.equals("/")) {
      return "\"/\" would hide the whole root filesystem; name the directories that need to be writable";
    }
    if (p.length() > 253) {
      return "a path may be at most 253 characters";
    }
    for (String segment : p.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "\"" + path + "\" must not contain empty, . or .. segments";
      }
    }
    for (String root : FORBIDDEN_ROOTS) {
      if (p.equals(root) || p.startsWith(root + "/")) {
        return "\"" + path + "\" lies under " + root + ", which the container runtime manages";
      }
    }
    return null;
  }

  /**
   * Why {@code path} cannot be a seeded path, or null: the rules of every path, and neither a whole
   * system tree (copying /usr would copy the image's every program into memory) nor a file or
   * directory the kubelet mounts.
   */
  static String seedPathProblem(String path) {
    String problem = pathProblem(path);
    if (problem != null) {
      return problem;
    }
    String p = Paths.normalize(path);
    if (ImageLayout.isWholeSystemTree(p)) {
      return "\"" + path + "\" is a whole system tree; seeding it would copy all of it from the image: seed the "
          + "directory below it that the app writes to (such as " + p + "/app)";
    }
    if (ImageLayout.isRuntimeManaged(p)) {
      return "\"" + path + "\" is mounted by the kubelet into every container; it cannot be seeded";
    }
    return null;
  }
}
