package dev.rootlock.engine;

import dev.rootlock.api.ControllerKind;
import dev.rootlock.api.Medium;
import dev.rootlock.api.Mode;
import dev.rootlock.api.OnMemoryRisk;
import dev.rootlock.api.OnFailure;
import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.api.RolloutSpec;
import dev.rootlock.api.SeedMethod;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated policy spec with every default applied. The only way to get one is {@link #from},
 * so code that holds a PolicyRules never has to re-check the spec.
 *
 * @param kinds the pod controllers the policy selects (spec.kinds; all four by default)
 * @param containers names to harden, or null for every container
 * @param paths plain writable paths (tmpPaths, cachePaths), sorted so that a parent comes before the
 *     paths below it
 * @param exemptions containers left exactly as they are (spec.excludeContainers, spec.excludeImages)
 * @param memory the emptyDirs' medium and when their size is a risk for the container's memory
 * @param seeding the paths filled with the image's files (spec.seedPaths) and how (spec.seed)
 */
public record PolicyRules(
    LabelSelector selector,
    Set<ControllerKind> kinds,
    Set<String> containers,
    boolean initContainers,
    List<WritablePath> paths,
    Quantity sizeLimit,
    Mode mode,
    Rollout rollout,
    Exemptions exemptions,
    MemoryRules memory,
    Seeding seeding) {

  public static final List<String> DEFAULT_TMP_PATHS = List.of("/tmp");
  public static final Set<ControllerKind> ALL_KINDS = Set.copyOf(EnumSet.allOf(ControllerKind.class));
  public static final String DEFAULT_SIZE_LIMIT = "64Mi";
  public static final int MAX_PATHS = PathLists.MAX_PATHS;
  public static final Rollout DEFAULT_ROLLOUT = new Rollout(OnFailure.Rollback, false, 5, Duration.ofMinutes(10));
  /** At most this many learned paths per workload: each one cost a failed rollout. */
  public static final int MAX_LEARN_ATTEMPTS = 3;

  private static final Pattern QUANTITY =
      Pattern.compile("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  public PolicyRules {
    kinds = kinds == null || kinds.isEmpty() ? ALL_KINDS : Set.copyOf(kinds);
    containers = containers == null ? null : Set.copyOf(containers);
    paths = List.copyOf(paths);
    rollout = rollout == null ? DEFAULT_ROLLOUT : rollout;
    exemptions = exemptions == null ? Exemptions.NONE : exemptions;
    memory = memory == null ? MemoryRules.DEFAULT : memory;
    seeding = seeding == null ? Seeding.NONE : seeding;
  }

  /** spec.rollout with defaults applied. */
  public record Rollout(OnFailure onFailure, boolean learn, int maxInProgress, Duration timeout) {}

  /** Containers Rootlock leaves exactly as they are, by name or by image. */
  public record Exemptions(List<Globs.Glob> containers, List<Globs.Glob> images) {
    public static final Exemptions NONE = new Exemptions(List.of(), List.of());

    public Exemptions {
      containers = List.copyOf(containers);
      images = List.copyOf(images);
    }

    /** Why {@code c} is exempt ("spec.excludeContainers: istio-*"), or null when it is not. */
    public String reason(Container c) {
      Globs.Glob byName = Globs.firstMatch(containers, c.getName());
      if (byName != null) {
        return "spec.excludeContainers: " + byName.text();
      }
      Globs.Glob byImage = Globs.firstMatch(images, c.getImage());
      return byImage == null ? null : "spec.excludeImages: " + byImage.text();
    }
  }

  /**
   * @param medium where injected emptyDirs keep their files
   * @param shareWarning percent of a container's memory limit its memory-backed emptyDirs may use
   *     before that is a risk worth a warning
   */
  public record MemoryRules(Medium medium, int shareWarning, OnMemoryRisk onRisk) {
    public static final MemoryRules DEFAULT = new MemoryRules(Medium.Memory, 50, OnMemoryRisk.Warn);
  }

  /**
   * spec.seedPaths and spec.seed.
   *
   * @param paths seeded paths ({@link WritablePath.Kind#SEED}), normalised and sorted
   * @param method as the spec says; the {@link Hardener} resolves Auto against its {@link SeedPlatform}
   */
  public record Seeding(List<WritablePath> paths, SeedMethod method) {
    public static final Seeding NONE = new Seeding(List.of(), SeedMethod.Auto);

    public Seeding {
      paths = List.copyOf(paths);
      method = method == null ? SeedMethod.Auto : method;
    }
  }

  /** Every declared path, plain and seeded, sorted so that a parent comes before the paths below it. */
  public List<WritablePath> allPaths() {
    if (seeding.paths().isEmpty()) {
      return paths;
    }
    List<WritablePath> all = new ArrayList<>(paths);
    all.addAll(seeding.paths());
    all.sort(Comparator.comparing(WritablePath::path));
    return all;
  }

  /**
   * These rules plus directories learned for one workload (as cache paths). A learned path the
   * spec already declares (in any list) adds nothing.
   */
  public PolicyRules withLearnedPaths(Collection<String> learned) {
    return withLearnedPaths(learned, List.of());
  }

  /**
   * These rules plus directories learned for one workload: those in {@code seeded} (they hold the
   * image's files) as seeded paths, the others as cache paths. A learned path the spec already
   * declares (in any list) adds nothing, nor does one that could not be declared in its list.
   */
  public PolicyRules withLearnedPaths(Collection<String> learned, Collection<String> seeded) {
    List<WritablePath> plain = learned(learned.stream().filter(p -> !seeded.contains(p)).toList(),
        WritablePath.Kind.CACHE);
    List<WritablePath> seeds = learned(seeded, WritablePath.Kind.SEED);
    if (plain.isEmpty() && seeds.isEmpty()) {
      return this;
    }
    plain.addAll(paths);
    plain.sort(Comparator.comparing(WritablePath::path));
    seeds.addAll(seeding.paths());
    seeds.sort(Comparator.comparing(WritablePath::path));
    return new PolicyRules(selector, kinds, containers, initContainers, plain, sizeLimit, mode, rollout, exemptions,
        memory, new Seeding(seeds, seeding.method()));
  }

  private List<WritablePath> learned(Collection<String> learned, WritablePath.Kind kind) {
    List<WritablePath> more = new ArrayList<>();
    List<WritablePath> declared = allPaths();
    for (String path : learned) {
      String problem = PathLists.problem(path, kind);
      String p = Paths.normalize(path);
      if (problem == null && declared.stream().noneMatch(d -> d.path().equals(p))
          && more.stream().noneMatch(d -> d.path().equals(p))) {
        more.add(new WritablePath(p, kind));
      }
    }
    return more;
  }

  /** True when the policy selects workloads of this kind (before its label selector is asked). */
  public boolean selects(ControllerKind kind) {
    return kinds.contains(kind);
  }

  /** True when the container with this name is hardened by these rules (exemptions aside). */
  public boolean hardens(String container, boolean init) {
    if (init && !initContainers) {
      return false;
    }
    return containers == null || containers.contains(container);
  }

  /** True when {@code c} is hardened: selected by name and kind, and not exempt. */
  public boolean hardens(Container c, boolean init) {
    return hardens(c.getName(), init) && exemptions.reason(c) == null;
  }

  /** Validates a spec; the result holds either the rules or every problem found. */
  public static Validation from(ReadOnlyPolicySpec spec) {
    ReadOnlyPolicySpec s = spec == null ? new ReadOnlyPolicySpec() : spec;
    List<SpecError> errors = new ArrayList<>(LabelSelectors.validate(s.getSelector(), "spec.selector"));
    Set<ControllerKind> kinds = KindList.read(s.getKinds(), errors);

    Set<String> containers = null;
    if (s.getContainers() != null) {
      containers = new LinkedHashSet<>();
      for (int i = 0; i < s.getContainers().size(); i++) {
        String name = s.getContainers().get(i);
        String field = "spec.containers[" + i + "]";
        if (name == null || name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
          errors.add(new SpecError(field, "\"" + name + "\" is not a valid container name (a DNS label)"));
        } else if (!containers.add(name)) {
          errors.add(new SpecError(field, "container \"" + name + "\" is listed twice"));
        }
      }
    }

    PathLists.Declared declared = PathLists.read(s, errors);
    Seeding seeding = new Seeding(declared.seeded(), s.getSeed() == null ? null : s.getSeed().getMethod());

    String size = s.getSizeLimit() == null ? DEFAULT_SIZE_LIMIT : s.getSizeLimit();
    Quantity sizeLimit = null;
    if (!QUANTITY.matcher(size).matches()) {
      errors.add(new SpecError("spec.sizeLimit",
          "\"" + size + "\" is not a quantity such as 64Mi or 1Gi"));
    } else {
      sizeLimit = new Quantity(size);
      if (Quantity.getAmountInBytes(sizeLimit).signum() <= 0) {
        errors.add(new SpecError("spec.sizeLimit", "must be greater than zero"));
      }
    }

    Mode mode = s.getMode() == null ? Mode.Enforce : s.getMode();
    boolean init = Boolean.TRUE.equals(s.getInitContainers());
    Rollout rollout = rollout(s.getRollout(), errors);
    Exemptions exemptions = new Exemptions(
        globs(s.getExcludeContainers(), "spec.excludeContainers", Globs::nameProblem, errors),
        globs(s.getExcludeImages(), "spec.excludeImages", Globs::imageProblem, errors));
    int share = s.getMemoryShareWarning() == null ? MemoryRules.DEFAULT.shareWarning() : s.getMemoryShareWarning();
    if (share < 1 || share > 100) {
      errors.add(new SpecError("spec.memoryShareWarning", "must be a percentage between 1 and 100, not " + share));
    }
    MemoryRules memory = new MemoryRules(s.getMedium() == null ? Medium.Memory : s.getMedium(), share,
        s.getOnMemoryRisk() == null ? OnMemoryRisk.Warn : s.getOnMemoryRisk());
    if (!errors.isEmpty()) {
      return new Validation(null, errors);
    }
    return new Validation(new PolicyRules(s.getSelector(), kinds, containers, init, declared.plain(), sizeLimit, mode,
        rollout, exemptions, memory, seeding), List.of());
  }

  private static List<Globs.Glob> globs(List<String> raw, String field,
      java.util.function.Function<String, String> problem, List<SpecError> errors) {
    List<Globs.Glob> out = new ArrayList<>();
    for (int i = 0; raw != null && i < raw.size(); i++) {
      String p = problem.apply(raw.get(i));
      if (p != null) {
        errors.add(new SpecError(field + "[" + i + "]", p));
      } else {
        out.add(Globs.compile(raw.get(i)));
      }
    }
    return out;
  }

  private static Rollout rollout(RolloutSpec r, List<SpecError> errors) {
    if (r == null) {
      return DEFAULT_ROLLOUT;
    }
    int max = r.getMaxInProgress() == null ? DEFAULT_ROLLOUT.maxInProgress() : r.getMaxInProgress();
    if (max < 1 || max > 1000) {
      errors.add(new SpecError("spec.rollout.maxInProgress", "must be between 1 and 1000, not " + max));
    }
    Duration timeout = DEFAULT_ROLLOUT.timeout();
    if (r.getTimeout() != null) {
      try {
        timeout = Durations.parse(r.getTimeout());
        if (timeout.isZero()) {
          errors.add(new SpecError("spec.rollout.timeout", "must be longer than zero"));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new SpecError("spec.rollout.timeout", e.getMessage()));
      }
    }
    return new Rollout(r.getOnFailure() == null ? DEFAULT_ROLLOUT.onFailure() : r.getOnFailure(),
        Boolean.TRUE.equals(r.getLearn()), max, timeout);
  }

  /** Either valid rules or the problems that prevent them. */
  public record Validation(PolicyRules rules, List<SpecError> errors) {
    public Validation {
      errors = List.copyOf(errors);
    }

    public boolean isValid() {
      return rules != null;
    }

    /** All problems in one line, for a status message. */
    public String describeErrors() {
      return String.join("; ", errors.stream().map(SpecError::toString).toList());
    }
  }
}
