package dev.rootlock.reconciler.round;

import dev.rootlock.api.Annotations;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.workload.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What one policy's last reconcile computed about each workload and still holds: the engine's
 * "nothing to change" answers and the parsed revert and rollout records. Every status update of a
 * followed rollout re-queues the policy, and each reconcile judges every workload of the
 * namespace again; without this, each of those reconciles copies and compares every pod template
 * and parses every record again (docs/benchmarks.md, "Measurements behind the code", has the cost).
 *
 * <p>Everything kept is a pure function of its inputs, so an answer holds while they hold. Records
 * are keyed by the annotation text they were parsed from. An engine answer is keyed by the
 * workload's uid and checked against the pod template, the revert record, the learned paths and
 * the rules. The template is matched twice over: by metadata.generation (the API server moves it
 * on every spec change) and by the template itself: by the workload's resourceVersion (the same
 * version is the same object), or for another version (a status update) by the template's hash —
 * so neither a server that forgot the generation nor a hash collision alone can serve a stale
 * answer, and a workload unchanged since the last reconcile costs no hash of its template.
 * Answers are kept without a template: for "nothing to change" the record and findings; for a workload whose change waits for
 * a rollout slot only the change's summary and memory warnings, until it gets one and is hardened
 * afresh (a change about to be written is not kept). Uids are unique across kinds.
 *
 * <p>One memo per policy, used by one reconcile at a time (JOSDK never runs two for one policy).
 * Each reconcile keeps only the entries it used, so deleted workloads and old records drop out.
 */
public final class EngineAnswerCache {
  /**
   * What a workload waiting for a rollout slot needs: the change's summary and the memory warnings
   * its status entry carries.
   */
  public record Due(String change, List<String> warnings) {}

  /**
   * @param resourceVersion of the workload as read when it was computed: while a read has the same
   *     one, the object (and so its template) is the same, without hashing the template
   * @param due null for "nothing to change" (then record and findings are the engine's answer);
   *     otherwise what a workload waiting for a rollout slot needs (then record and findings are
   *     null)
   */
  private record Answer(long generation, String resourceVersion, int templateHash, String revert,
      List<String> learned, RevertRecord record, List<Finding> findings, Due due) {

    boolean holdsFor(long generation, String revert, List<String> learned) {
      return this.generation == generation && Objects.equals(this.revert, revert) && this.learned.equals(learned);
    }

    /** The same answer for another read with the same template (a status update, a label). */
    Answer readAs(String newer) {
      return new Answer(generation, newer, templateHash, revert, learned, record, findings, due);
    }
  }

  /** A parse that failed, kept so that the same text fails the same way without parsing again. */
  private record Invalid(RevertRecord.InvalidRevertRecordException error) {}

  private final Hardener hardener;
  private final Round<String, Answer> answers = new Round<>();
  private final Round<String, Object> reverts = new Round<>();
  private final Round<String, RolloutRecord> rollouts = new Round<>();
  /** The rules the kept answers were computed with; other rules forget them all. */
  private PolicyRules rules;
  private long hits;
  private long misses;

  public EngineAnswerCache(Hardener hardener) {
    this.hardener = hardener;
  }

  public Hardener hardener() {
    return hardener;
  }

  /**
   * What {@code hardener.harden(w's template, rules + learned, prior)} answers, from memory when
   * it was asked the same in this reconcile or the last.
   *
   * @param seeded those of {@code learned} learned as seeded paths; not part of the key, since a
   *     directory keeps the kind it was learned with (equal {@code learned} means equal {@code seeded})
   * @param revert the annotation text {@code prior} was parsed from (null for none)
   */
  public Hardening harden(Workload w, PolicyRules rules, List<String> learned, List<String> seeded, RevertRecord prior,
      String revert) {
    Answer known = known(w, rules, learned, revert);
    if (known != null && known.due() == null) {
      hits++;
      return new Hardening(w.template(), known.record(), known.findings(), false);
    }
    misses++;
    Hardening h = hardener.harden(w.template(), rules.withLearnedPaths(learned, seeded), prior);
    if (isKeyed(w) && !h.changed()) {
      // The record usually equals the one parsed from the annotation, which workloads of one
      // template share: keep that one rather than a copy per workload.
      RevertRecord record = h.record().equals(prior) ? prior : h.record();
      answers.put(w.uid(), new Answer(generation(w), w.resourceVersion(), hash(w), revert, List.copyOf(learned),
          record, h.findings(), null));
    }
    return h;
  }

  /**
   * Remembers that {@code w}, hardened with these inputs, needs {@code change} and waits for a
   * rollout slot: until it gets one, {@link #pendingChange} answers without the engine.
   */
  public void rememberPending(Workload w, List<String> learned, String revert, Hardening change) {
    if (isKeyed(w)) {
      answers.put(w.uid(), new Answer(generation(w), w.resourceVersion(), hash(w), revert, List.copyOf(learned),
          null, null, new Due(change.changeSummary(), change.warnings())));
    }
  }

  /**
   * The change a workload waiting for a rollout slot needs, as remembered for the same inputs;
   * null when unknown. Such a workload is judged on every reconcile of its policy until it gets a
   * slot, and hardening it again each time cost more than anything else it needs (docs/benchmarks.md,
   * "Measurements behind the code"); the summary is all that needs.
   */
  public Due pendingChange(Workload w, PolicyRules rules, List<String> learned, String revert) {
    Answer known = known(w, rules, learned, revert);
    if (known != null && known.due() != null) {
      hits++;
      return known.due();
    }
    return null;
  }

  /** The answer kept for {@code w} if it still holds (and kept for the next round), else null. */
  private Answer known(Workload w, PolicyRules rules, List<String> learned, String revert) {
    if (rules != this.rules && !rules.equals(this.rules)) {
      answers.clear();
    }
    this.rules = rules;
    if (!isKeyed(w)) {
      return null;
    }
    Answer known = answers.get(w.uid());
    if (known == null || !known.holdsFor(generation(w), revert, learned)) {
      return null;
    }
    if (w.resourceVersion() == null || !w.resourceVersion().equals(known.resourceVersion())) {
      // Another version of the workload (a status update): the same template only if it hashes the same.
      if (known.templateHash() != hash(w)) {
        return null;
      }
      known = known.readAs(w.resourceVersion());
    }
    answers.put(w.uid(), known);
    return known;
  }

  private static int hash(Workload w) {
    return isKeyed(w) ? w.template().hashCode() : 0;
  }

  private static boolean isKeyed(Workload w) {
    return w.uid() != null && w.object().getMetadata().getGeneration() != null && w.template() != null;
  }

  private static long generation(Workload w) {
    return w.object().getMetadata().getGeneration();
  }

  /**
   * The revert record in annotation {@code text} (null for none), parsed once per text; a text
   * that is not a valid record fails the same way each time.
   */
  public RevertRecord revert(String text) throws RevertRecord.InvalidRevertRecordException {
    if (text == null) {
      return RevertRecord.EMPTY;
    }
    Object parsed = reverts.remember(text, t -> {
      try {
        return RevertRecord.parse(t);
      } catch (RevertRecord.InvalidRevertRecordException e) {
        return new Invalid(e);
      }
    });
    if (parsed instanceof Invalid invalid) {
      throw invalid.error();
    }
    return (RevertRecord) parsed;
  }

  /** The workload's rollout record, parsed once per annotation text. */
  public RolloutRecord rollout(Workload w) {
    String text = w.annotation(Annotations.ROLLOUT);
    return text == null ? RolloutRecord.EMPTY : rollouts.remember(text, RolloutRecord::parse);
  }

  /** Ends a reconcile: what it did not use is forgotten. */
  public void endRound() {
    answers.end();
    reverts.end();
    rollouts.end();
  }

  long hits() {
    return hits;
  }

  long misses() {
    return misses;
  }

  /** Entries used in this round and the last: what the current round uses survives the next end. */
  private static final class Round<K, V> {
    private Map<K, V> previous = new HashMap<>();
    private Map<K, V> used = new HashMap<>();

    V get(K key) {
      V v = used.get(key);
      return v != null ? v : previous.get(key);
    }

    void put(K key, V value) {
      used.put(key, value);
    }

    /** The value kept for {@code key}, or {@code compute}'s, kept from now on. */
    V remember(K key, Function<K, V> compute) {
      V v = get(key);
      if (v == null) {
        v = compute.apply(key);
      }
      put(key, v);
      return v;
    }

    void end() {
      previous = used;
      used = new HashMap<>();
    }

    void clear() {
      previous.clear();
      used.clear();
    }
  }
}
