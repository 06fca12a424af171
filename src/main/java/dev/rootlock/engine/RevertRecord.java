package dev.rootlock.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What Rootlock changed in one pod template and the values it found there before, so the change
 * can be undone exactly. Stored as JSON in the workload's {@code rootlock.dev/revert} annotation
 * (metadata, not the pod template, so keeping it up to date never starts a rollout).
 *
 * @param containers per container whose readOnlyRootFilesystem Rootlock set: the original value
 * @param injections every volume + mount Rootlock added, one per container and path
 * @param messagePolicies per container whose terminationMessagePolicy Rootlock set: the original
 * @param seeds per container with seeded paths: the init container (and image volume) that fills them
 */
public record RevertRecord(Map<String, OriginalSecurityContext> containers, List<Injection> injections,
    Map<String, OriginalMessagePolicy> messagePolicies, List<Seed> seeds) {

  /**
   * Bumped when the JSON shape changes; older operators refuse newer records with a clear
   * "unsupported version" instead of failing on a field they do not know. 2 added messagePolicies;
   * 3 an injection's medium; 4 seeded paths (an injection's seeded flag, seeds). A record is written
   * with the oldest version that can hold it, so a downgraded operator still reads every record it
   * could have written itself; versions 1 to 3 are still read.
   */
  static final int FORMAT_VERSION = 4;
  private static final int WITH_MEDIUM = 3;
  private static final int WITHOUT_MEDIUM = 2;
  private static final int OLDEST_READABLE_VERSION = 1;

  public static final RevertRecord EMPTY = new RevertRecord(Map.of(), List.of(), Map.of(), List.of());

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern FINGERPRINT = Pattern.compile("^[0-9a-f]{16,64}$");

  public RevertRecord {
    containers = new TreeMap<>(containers);
    messagePolicies = new TreeMap<>(messagePolicies == null ? Map.of() : messagePolicies);
    injections = injections.stream()
        .sorted(Comparator.comparing(Injection::container).thenComparing(Injection::path))
        .toList();
    seeds = (seeds == null ? List.<Seed>of() : seeds).stream().sorted(Comparator.comparing(Seed::container)).toList();
  }

  public RevertRecord(Map<String, OriginalSecurityContext> containers, List<Injection> injections,
      Map<String, OriginalMessagePolicy> messagePolicies) {
    this(containers, injections, messagePolicies, List.of());
  }

  public boolean isEmpty() {
    return containers.isEmpty() && injections.isEmpty() && messagePolicies.isEmpty() && seeds.isEmpty();
  }

  /** The readOnlyRootFilesystem value a container had before Rootlock set it to true. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OriginalSecurityContext(
      @JsonProperty("readOnlyRootFilesystem") Boolean readOnlyRootFilesystem,
      @JsonProperty("securityContextAbsent") boolean securityContextAbsent) {}

  /**
   * The terminationMessagePolicy a container had before Rootlock set FallbackToLogsOnError:
   * absent ({@code value} null) or File, the API server's default.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OriginalMessagePolicy(@JsonProperty("value") String value) {}

  /**
   * One emptyDir {@code volume} of {@code sizeLimit} mounted at {@code path} in {@code container}.
   * The size and medium are kept so undo can tell our volume from one someone changed.
   *
   * @param medium "Disk" for a volume on the node's disk; null for memory (the only medium before
   *     version 3)
   * @param seeded true when the volume is filled with the image's files by the container's
   *     {@link Seed}; null otherwise (the only kind before version 4)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Injection(
      @JsonProperty("container") String container,
      @JsonProperty("path") String path,
      @JsonProperty("volume") String volume,
      @JsonProperty("sizeLimit") String sizeLimit,
      @JsonProperty("medium") String medium,
      @JsonProperty("seeded") Boolean seeded) {

    public Injection {
      seeded = Boolean.TRUE.equals(seeded) ? Boolean.TRUE : null;
    }

    public Injection(String container, String path, String volume, String sizeLimit, String medium) {
      this(container, path, volume, sizeLimit, medium, null);
    }

    public Injection(String container, String path, String volume, String sizeLimit) {
      this(container, path, volume, sizeLimit, null, null);
    }

    /** True for a memory-backed (tmpfs) volume. */
    public boolean inMemory() {
      return medium == null;
    }

    /** True when the volume is filled with the image's files before the app starts. */
    public boolean isSeeded() {
      return seeded != null;
    }
  }

  /**
   * The init container that fills one container's seeded volumes, as Rootlock wrote it: undo removes
   * it only while its {@code fingerprint} (of the container with the API server's defaults filled
   * in) still matches, and the image volume only while it still reads {@code image} with
   * {@code pullPolicy}.
   *
   * @param method "Copy" or "ImageVolume"
   * @param imageVolume the image volume's name (ImageVolume only, else null)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Seed(
      @JsonProperty("container") String container,
      @JsonProperty("initContainer") String initContainer,
      @JsonProperty("method") String method,
      @JsonProperty("fingerprint") String fingerprint,
      @JsonProperty("imageVolume") String imageVolume,
      @JsonProperty("image") String image,
      @JsonProperty("pullPolicy") String pullPolicy) {}

  private record Stored(
      @JsonProperty(value = "v", required = true) int version,
      @JsonProperty("containers") Map<String, OriginalSecurityContext> containers,
      @JsonProperty("injections") List<Injection> injections,
      @JsonInclude(JsonInclude.Include.NON_EMPTY)
      @JsonProperty("messagePolicies") Map<String, OriginalMessagePolicy> messagePolicies,
      @JsonInclude(JsonInclude.Include.NON_EMPTY)
      @JsonProperty("seeds") List<Seed> seeds) {}

  public String toJson() {
    try {
      int version = !seeds.isEmpty() || injections.stream().anyMatch(Injection::isSeeded) ? FORMAT_VERSION
          : injections.stream().allMatch(Injection::inMemory) ? WITHOUT_MEDIUM : WITH_MEDIUM;
      return JSON.writeValueAsString(new Stored(version, containers, injections, messagePolicies, seeds));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a revert record always serialises", e);
    }
  }

  /**
   * Parses and checks an annotation value. A record that fails here cannot be trusted to undo
   * anything: callers must leave the workload alone rather than guess.
   */
  public static RevertRecord parse(String json) throws InvalidRevertRecordException {
    if (json == null || json.isBlank()) {
      return EMPTY;
    }
    Stored stored;
    try {
      stored = JSON.readValue(json, Stored.class);
    } catch (JsonProcessingException e) {
      throw new InvalidRevertRecordException("not valid JSON for a revert record: "
          + e.getOriginalMessage());
    }
    if (stored == null || stored.version() < OLDEST_READABLE_VERSION || stored.version() > FORMAT_VERSION) {
      throw new InvalidRevertRecordException("unsupported revert record version "
          + (stored == null ? "null" : stored.version()));
    }
    Map<String, OriginalSecurityContext> containers =
        stored.containers() == null ? Map.of() : stored.containers();
    List<Injection> injections = stored.injections() == null ? List.of() : stored.injections();
    for (var e : containers.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new InvalidRevertRecordException("a container entry is empty");
      }
    }
    List<String> seenVolumes = new ArrayList<>();
    for (Injection i : injections) {
      if (i == null || i.container() == null || i.path() == null || !i.path().startsWith("/")
          || i.volume() == null || i.volume().length() > 63 || !DNS_LABEL.matcher(i.volume()).matches()
          || i.sizeLimit() == null || i.sizeLimit().isBlank()
          || (i.medium() != null && (!"Disk".equals(i.medium()) || stored.version() < WITH_MEDIUM))
          || (i.isSeeded() && stored.version() < FORMAT_VERSION)) {
        throw new InvalidRevertRecordException("an injection entry is incomplete or malformed: " + i);
      }
      if (seenVolumes.contains(i.volume())) {
        throw new InvalidRevertRecordException("volume " + i.volume() + " is recorded twice");
      }
      seenVolumes.add(i.volume());
    }
    Map<String, OriginalMessagePolicy> messagePolicies =
        stored.messagePolicies() == null ? Map.of() : stored.messagePolicies();
    for (var e : messagePolicies.entrySet()) {
      if (e.getKey() == null || e.getValue() == null
          || (e.getValue().value() != null && !"File".equals(e.getValue().value()))) {
        throw new InvalidRevertRecordException("a messagePolicies entry is empty or names a value Rootlock never "
            + "replaces: " + e.getValue());
      }
    }
    List<Seed> seeds = stored.seeds() == null ? List.of() : stored.seeds();
    checkSeeds(seeds, injections, stored.version());
    return new RevertRecord(containers, injections, messagePolicies, seeds);
  }

  private static void checkSeeds(List<Seed> seeds, List<Injection> injections, int version)
      throws InvalidRevertRecordException {
    if (!seeds.isEmpty() && version < FORMAT_VERSION) {
      throw new InvalidRevertRecordException("seeds in a revert record of version " + version);
    }
    List<String> seen = new ArrayList<>();
    for (Seed s : seeds) {
      boolean imageVolume = s != null && "ImageVolume".equals(s.method());
      if (s == null || s.container() == null || !dnsLabel(s.initContainer())
          || !(imageVolume || "Copy".equals(s.method()))
          || s.fingerprint() == null || !FINGERPRINT.matcher(s.fingerprint()).matches()
          || (imageVolume ? !dnsLabel(s.imageVolume()) || s.image() == null || s.pullPolicy() == null
              : s.imageVolume() != null || s.image() != null || s.pullPolicy() != null)) {
        throw new InvalidRevertRecordException("a seed entry is incomplete or malformed: " + s);
      }
      if (seen.contains(s.container()) || seen.contains(s.initContainer())) {
        throw new InvalidRevertRecordException("container " + s.container() + " is seeded twice");
      }
      seen.add(s.container());
      seen.add(s.initContainer());
      if (imageVolume && injections.stream().anyMatch(i -> i.volume().equals(s.imageVolume()))) {
        throw new InvalidRevertRecordException("volume " + s.imageVolume() + " is recorded twice");
      }
    }
  }

  private static boolean dnsLabel(String name) {
    return name != null && name.length() <= 63 && DNS_LABEL.matcher(name).matches();
  }

  /** A revert record annotation that was edited into something Rootlock cannot trust. */
  public static final class InvalidRevertRecordException extends Exception {
    public InvalidRevertRecordException(String message) {
      super(message);
    }
  }
}
