package dev.rootlock.reconciler.observing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.engine.Durations;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Stops Rootlock from fighting a writer that keeps reverting its hardening (a GitOps controller
 * with self-heal, a deploy script): every correction is counted in the workload's rollout record
 * (written in the same patch as the correction), and after {@link DriftLimit#corrections}
 * within its window Rootlock stops correcting and reports {@code Conflict}/{@code DriftFight},
 * naming the other writer. A new policy generation (someone changed the spec) or a window without
 * corrections starts the count over.
 */
public final class DriftFights {
  public static final String REASON = "DriftFight";

  private final DriftLimit limit;
  private final Clock clock;
  private final Function<Workload, HasMetadata> fresh;
  /** The other writer, by workload uid and resourceVersion: looked up once per revert, not per reconcile. */
  private final Map<String, String> writers = new ConcurrentHashMap<>();

  /**
   * @param fresh reads the workload from the API server with its managedFields (the informer
   *     caches drop them), or returns null
   */
  public DriftFights(DriftLimit limit, Clock clock, Function<Workload, HasMetadata> fresh) {
    this.limit = limit;
    this.clock = clock;
    this.fresh = fresh;
  }

  /**
   * True when {@code h} puts back what {@code prior} says Rootlock had already done: a container
   * made writable again, a mount of Rootlock's taken away. A path the policy newly asks for is not
   * a correction.
   */
  public static boolean isCorrection(Hardening h, RevertRecord prior) {
    for (Finding f : h.findings()) {
      if (f.kind() == Finding.Kind.READ_ONLY_SET && prior.containers().containsKey(f.container())) {
        return true;
      }
      if (f.kind() == Finding.Kind.VOLUME_INJECTED && prior.injections().stream()
          .anyMatch(i -> i.container().equals(f.container()) && i.path().equals(f.path()))) {
        return true;
      }
    }
    return false;
  }

  /** The decision for a correction due now: go ahead (with the record to write) or stop. */
  public sealed interface CorrectOrStop {
    record Correct(RolloutRecord record) implements CorrectOrStop {}

    record Stop(String message) implements CorrectOrStop {}
  }

  public CorrectOrStop decide(Workload w, RolloutRecord rollout, long policyGeneration) {
    Instant now = clock.instant();
    List<RolloutRecord.Correction> recent = rollout.correctionsSince(now.minus(limit.window()), policyGeneration);
    if (recent.size() < limit.corrections()) {
      return new CorrectOrStop.Correct(rollout.corrected(recent, now, policyGeneration));
    }
    return new CorrectOrStop.Stop("its hardening was reverted and put back " + recent.size() + " times in the last "
        + Durations.words(limit.window()) + ", last by " + writer(w) + "; Rootlock stopped correcting it to end "
        + "the fight. Make the writer keep the hardening (commit it to Git, or ignore these fields: "
        + "docs/install.md), exclude the workload, or change the policy spec to try again; Rootlock tries again "
        + "by itself once no correction was needed for " + Durations.words(limit.window()));
  }

  /** The field manager that last wrote the pod template, other than Rootlock, as managedFields say. */
  private String writer(Workload w) {
    String key = w.uid() + "@" + w.resourceVersion();
    return writers.computeIfAbsent(key, k -> {
      HasMetadata o = fresh.apply(w);
      List<ManagedFieldsEntry> entries = o == null || o.getMetadata().getManagedFields() == null ? List.of()
          : o.getMetadata().getManagedFields();
      Optional<ManagedFieldsEntry> last = entries.stream()
          .filter(e -> e.getManager() != null && !e.getManager().startsWith(Annotations.FIELD_MANAGER))
          .filter(e -> touchesTemplate(e))
          .max(Comparator.comparing(e -> e.getTime() == null ? "" : e.getTime()));
      return last.map(e -> "field manager " + e.getManager() + " (" + e.getOperation() + ")")
          .orElse("another writer (the API server recorded no field manager for it)");
    });
  }

  private static boolean touchesTemplate(ManagedFieldsEntry e) {
    JsonNode fields = e.getFieldsV1() == null ? null : JsonPatches.tree(e.getFieldsV1());
    String text = fields == null ? "" : fields.toString();
    return text.contains("f:template") || text.contains("f:readOnlyRootFilesystem");
  }

  /** Forgets the writers of workloads no longer fought over (bounded: one entry per revert seen). */
  void forget(String uid) {
    writers.keySet().removeIf(k -> k.startsWith(uid + "@"));
  }
}
