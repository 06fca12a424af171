package dev.rootlock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * What a ReadOnlyPolicy asks for. Field names are the user-facing contract (docs/policy.md).
 *
 * <p>The schema annotations reject what an API server can check cheaply; {@code PolicyRules} in
 * the engine validates everything again, because not every API server enforces CRD schemas.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.tmpPaths) ? size(self.tmpPaths) : 1) + (has(self.cachePaths) ? size(self.cachePaths) : 0)"
        + " + (has(self.seedPaths) ? size(self.seedPaths) : 0) <= 32",
    message = "tmpPaths, cachePaths and seedPaths together may name at most 32 paths")
@ValidationRule(
    value = "!has(self.tmpPaths) || !has(self.cachePaths) || self.cachePaths.all(p, !(p in self.tmpPaths))",
    message = "a path may appear only once across tmpPaths and cachePaths")
@ValidationRule(
    value = "!has(self.seedPaths) || self.seedPaths.all(p, !(has(self.tmpPaths) && p in self.tmpPaths)"
        + " && !(has(self.cachePaths) && p in self.cachePaths))",
    message = "a seeded path may not also be a tmp or cache path")
public class ReadOnlyPolicySpec {
  /** Path syntax the API server can check: absolute, no empty segment, not "/". */
  static final String PATH_PATTERN = "^(/[^/]+)+/?$";

  static final String KIND_PATTERN = "^(Deployment|StatefulSet|DaemonSet|CronJob)$";

  static final String PATH_RULE =
      "self.all(p, !p.contains('/../') && !p.endsWith('/..') && !p.contains('/./') && !p.endsWith('/.')"
          + " && !['/proc', '/sys', '/dev'].exists(s, p == s || p.startsWith(s + '/')))";

  /**
   * Whole system trees and what the kubelet mounts: never seeded (ImageLayout in diagnosis holds the
   * same lists for Rootlock's own validation and for learning).
   */
  static final String SEED_PATH_RULE = "self.all(p, !['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64',"
      + " '/libx32', '/boot', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib32', '/usr/lib64', '/usr/libx32',"
      + " '/usr/libexec', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'].exists(s, p == s || p == s + '/')"
      + " && !['/run/secrets', '/var/run/secrets'].exists(s, p == s || p.startsWith(s + '/')))";

  @JsonPropertyDescription("Selects workloads in the policy's namespace by their labels; absent or empty selects all of them.")
  private LabelSelector selector;

  /** Strings, not {@link ControllerKind}s: an unknown name must reach validation, which names the field. */
  @JsonPropertyDescription("Which pod controllers the policy selects: any of Deployment, StatefulSet, DaemonSet, "
      + "CronJob; absent selects all four.")
  @Size(min = 1, max = 4)
  private List<@Pattern(KIND_PATTERN) String> kinds;

  @JsonPropertyDescription("Only harden these containers; absent hardens every container.")
  @Size(max = 64)
  private List<@Size(max = 63) String> containers;

  @JsonPropertyDescription("Also harden init containers.")
  private Boolean initContainers;

  @JsonPropertyDescription("Writable temporary paths; absent means [/tmp], [] means none.")
  @Size(max = 32)
  @ValidationRule(value = PATH_RULE, message = "paths must not contain . or .. segments nor lie under /proc, /sys or /dev")
  private List<@Pattern(PATH_PATTERN) @Size(max = 253) String> tmpPaths;

  @JsonPropertyDescription("More writable paths (caches, pid and lock files); default none.")
  @Size(max = 32)
  @ValidationRule(value = PATH_RULE, message = "paths must not contain . or .. segments nor lie under /proc, /sys or /dev")
  private List<@Pattern(PATH_PATTERN) @Size(max = 253) String> cachePaths;

  @JsonPropertyDescription("Writable paths filled with the image's own files before the app starts (an init "
      + "container copies them into each emptyDir), for directories such as /etc/nginx/conf.d that hold the "
      + "image's files and need writes; default none.")
  @Size(max = 32)
  @ValidationRule(value = PATH_RULE, message = "paths must not contain . or .. segments nor lie under /proc, /sys or /dev")
  @ValidationRule(value = SEED_PATH_RULE, message = "a seeded path may not be a whole system tree (/etc, /usr, /lib, "
      + "...) nor a file or directory the kubelet mounts (/etc/hosts, /etc/resolv.conf, /run/secrets)")
  private List<@Pattern(PATH_PATTERN) @Size(max = 253) String> seedPaths;

  @JsonPropertyDescription("How seeded paths are filled with the image's files.")
  private SeedSpec seed;

  @JsonPropertyDescription("sizeLimit of every injected memory-backed emptyDir.")
  @Default("64Mi")
  @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
  private String sizeLimit;

  @JsonPropertyDescription("Enforce writes the hardening; Audit only reports it.")
  @Default("Enforce")
  private Mode mode;

  @JsonPropertyDescription("How the rollouts Rootlock starts are followed, paced and rolled back.")
  private RolloutSpec rollout;

  @JsonPropertyDescription("Containers left exactly as they are: names or glob patterns (* any characters, "
      + "? one), e.g. istio-*, linkerd-proxy.")
  @Size(max = 32)
  private List<@Size(max = 63) String> excludeContainers;

  @JsonPropertyDescription("Containers whose image reference matches one of these glob patterns are left "
      + "exactly as they are, e.g. */vendor-agent:*.")
  @Size(max = 32)
  private List<@Size(max = 255) String> excludeImages;

  @JsonPropertyDescription("Memory (tmpfs, the default) or Disk (the node's disk) for the injected emptyDirs.")
  @Default("Memory")
  private Medium medium;

  @JsonPropertyDescription("Warn when a hardened container's memory-backed emptyDirs may use more than this "
      + "percentage of its memory limit (1-100, default 50), or when it has no memory limit.")
  @Default("50")
  @Min(1)
  @Max(100)
  private Integer memoryShareWarning;

  @JsonPropertyDescription("Warn (default): harden anyway and warn; Skip: do not harden a workload at risk.")
  @Default("Warn")
  private OnMemoryRisk onMemoryRisk;

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public List<String> getKinds() {
    return kinds;
  }

  public void setKinds(List<String> kinds) {
    this.kinds = kinds;
  }

  public List<String> getContainers() {
    return containers;
  }

  public void setContainers(List<String> containers) {
    this.containers = containers;
  }

  public Boolean getInitContainers() {
    return initContainers;
  }

  public void setInitContainers(Boolean initContainers) {
    this.initContainers = initContainers;
  }

  public List<String> getTmpPaths() {
    return tmpPaths;
  }

  public void setTmpPaths(List<String> tmpPaths) {
    this.tmpPaths = tmpPaths;
  }

  public List<String> getCachePaths() {
    return cachePaths;
  }

  public void setCachePaths(List<String> cachePaths) {
    this.cachePaths = cachePaths;
  }

  public List<String> getSeedPaths() {
    return seedPaths;
  }

  public void setSeedPaths(List<String> seedPaths) {
    this.seedPaths = seedPaths;
  }

  public SeedSpec getSeed() {
    return seed;
  }

  public void setSeed(SeedSpec seed) {
    this.seed = seed;
  }

  public String getSizeLimit() {
    return sizeLimit;
  }

  public void setSizeLimit(String sizeLimit) {
    this.sizeLimit = sizeLimit;
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public RolloutSpec getRollout() {
    return rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }

  public List<String> getExcludeContainers() {
    return excludeContainers;
  }

  public void setExcludeContainers(List<String> excludeContainers) {
    this.excludeContainers = excludeContainers;
  }

  public List<String> getExcludeImages() {
    return excludeImages;
  }

  public void setExcludeImages(List<String> excludeImages) {
    this.excludeImages = excludeImages;
  }

  public Medium getMedium() {
    return medium;
  }

  public void setMedium(Medium medium) {
    this.medium = medium;
  }

  public Integer getMemoryShareWarning() {
    return memoryShareWarning;
  }

  public void setMemoryShareWarning(Integer memoryShareWarning) {
    this.memoryShareWarning = memoryShareWarning;
  }

  public OnMemoryRisk getOnMemoryRisk() {
    return onMemoryRisk;
  }

  public void setOnMemoryRisk(OnMemoryRisk onMemoryRisk) {
    this.onMemoryRisk = onMemoryRisk;
  }
}
