package dev.rootlock.rollout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * What Rootlock remembers about the rollouts it starts, stored as JSON in the workload's
 * {@code rootlock.dev/rollout} annotation. It is written in the same patch as the template change
 * it describes, so it can never disagree with it, and it survives operator restarts.
 *
 * @param generation the workload generation Rootlock's template change produced; the rollout
 *     of that generation is Rootlock's to follow. Null when no rollout is being followed.
 * @param started when that change was written (the rollout timeout counts from here)
 * @param attempts learn-mode retries made so far
 * @param learned directories learned from read-only-filesystem crashes, writable for this workload
 * @param seeded those of {@code learned} that hold the image's files: seeded paths (filled from the
 *     image) rather than plain ones. A directory keeps the kind it was learned with.
 * @param rolledBack set when a failed rollout was undone
 * @param corrections when Rootlock put back a hardening someone else had reverted (drift fights)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RolloutRecord(
    @JsonProperty("generation") Long generation,
    @JsonProperty("started") String started,
    @JsonProperty("attempts") int attempts,
    @JsonProperty("learned") List<String> learned,
    @JsonProperty("rolledBack") RolledBack rolledBack,
    @JsonProperty("corrections") List<Correction> corrections,
    @JsonProperty("seeded") List<String> seeded) {

  public static final RolloutRecord EMPTY = new RolloutRecord(null, null, 0, List.of(), null);

  public RolloutRecord(Long generation, String started, int attempts, List<String> learned, RolledBack rolledBack) {
    this(generation, started, attempts, learned, rolledBack, List.of());
  }

  public RolloutRecord(Long generation, String started, int attempts, List<String> learned, RolledBack rolledBack,
      List<Correction> corrections) {
    this(generation, started, attempts, learned, rolledBack, corrections, List.of());
  }

  /** This record with {@code more} learned as seeded paths (they are added to {@link #learned} too). */
  public RolloutRecord withSeeded(List<String> more) {
    List<String> allLearned = new java.util.ArrayList<>(learned);
    List<String> allSeeded = new java.util.ArrayList<>(seeded);
    for (String dir : more) {
      if (!allLearned.contains(dir)) {
        allLearned.add(dir);
      }
      if (!allSeeded.contains(dir)) {
        allSeeded.add(dir);
      }
    }
    return new RolloutRecord(generation, started, attempts, allLearned, rolledBack, corrections, allSeeded);
  }

  /**
   * One correction of someone else's revert: when, and under which policy generation (a changed
   * policy spec starts the count over).
   */
  public record Correction(@JsonProperty("at") String at, @JsonProperty("policyGeneration") long policyGeneration) {}

  /** Corrections made under {@code policyGeneration} since {@code since}. */
  public List<Correction> correctionsSince(Instant since, long policyGeneration) {
    return corrections.stream().filter(c -> c.policyGeneration() == policyGeneration)
        .filter(c -> {
          try {
            return !Instant.parse(c.at()).isBefore(since);
          } catch (RuntimeException e) {
            return false;
          }
        }).toList();
  }

  /** This record with {@code recent} (older ones forgotten) plus a correction now. */
  public RolloutRecord corrected(List<Correction> recent, Instant now, long policyGeneration) {
    List<Correction> all = new java.util.ArrayList<>(recent);
    all.add(new Correction(now.toString(), policyGeneration));
    return new RolloutRecord(generation, started, attempts, learned, rolledBack, all, seeded);
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  public RolloutRecord {
    learned = learned == null ? List.of() : List.copyOf(learned);
    corrections = corrections == null ? List.of() : List.copyOf(corrections);
    seeded = seeded == null ? List.of() : List.copyOf(seeded);
  }

  /**
   * A rollback: which policy undid its hardening, at which policy generation, the workload
   * generation the rollback produced and a digest of the template it restored. Hardening is not
   * tried again while the policy and its generation hold and the workload's template has not
   * changed: its digest is the same, or its generation has not moved since the rollback (so a
   * digest that differs only because the API server serialised the template differently can
   * never start a harden-and-roll-back loop).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RolledBack(
      @JsonProperty("policy") String policy,
      @JsonProperty("policyGeneration") Long policyGeneration,
      @JsonProperty("generation") Long generation,
      @JsonProperty("template") String template,
      @JsonProperty("message") String message) {

    /** True while hardening {@code d} for {@code policy} at {@code policyGeneration} would repeat the failure. */
    public boolean holds(String policyName, long currentPolicyGeneration, Long deploymentGeneration,
        PodTemplateSpec current) {
      return policyName.equals(policy) && Long.valueOf(currentPolicyGeneration).equals(policyGeneration)
          && (java.util.Objects.equals(generation, deploymentGeneration) || digest(current).equals(template));
    }
  }

  @JsonIgnore
  public boolean isEmpty() {
    return generation == null && learned.isEmpty() && rolledBack == null && corrections.isEmpty();
  }

  /** The record of a template change written now, producing {@code generation}. */
  public RolloutRecord started(long generation, Instant now, int attempts, List<String> learned) {
    return new RolloutRecord(generation, now.toString(), attempts, learned, null, corrections, seeded);
  }

  public RolloutRecord rolledBack(RolledBack r) {
    return new RolloutRecord(null, null, attempts, learned, r, corrections, seeded);
  }

  /** True when this record says the rollout of {@code generation} is Rootlock's to follow. */
  public boolean follows(Long deploymentGeneration) {
    return generation != null && generation.equals(deploymentGeneration);
  }

  @JsonIgnore
  public Instant startedAt() {
    try {
      return started == null ? null : Instant.parse(started);
    } catch (RuntimeException e) {
      return null;
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a rollout record always serialises", e);
    }
  }

  /**
   * Reads the annotation. Unlike the revert record, a damaged rollout record costs no safety: at
   * worst a rollout is not followed or a rolled-back workload is tried again, so it reads as empty.
   */
  public static RolloutRecord parse(String json) {
    if (json == null || json.isBlank()) {
      return EMPTY;
    }
    try {
      RolloutRecord r = JSON.readValue(json, RolloutRecord.class);
      return r == null ? EMPTY : r;
    } catch (JsonProcessingException e) {
      return EMPTY;
    }
  }

  /** A digest of a pod template, stable across serialisations of equal templates. */
  public static String digest(PodTemplateSpec template) {
    try {
      byte[] canonical = JSON.writeValueAsBytes(JSON.treeToValue(JsonPatches.tree(template), Object.class));
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(sha, 0, 12);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("a pod template always digests", e);
    }
  }
}
