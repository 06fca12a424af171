package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reports.PolicyReports;
import dev.rootlock.reports.ReportEntry;
import dev.rootlock.reports.ReportWriter;
import dev.rootlock.rollout.RolloutWatches;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * JOSDK glue: validates the policy, runs one {@link PolicyRound} over its namespace's workloads of
 * every kind (read from the informer caches), and reports. Writes nothing when nothing needs to
 * change, status included.
 */
@ControllerConfiguration(name = ReadOnlyPolicyReconciler.NAME, finalizerName = Annotations.FINALIZER)
public class ReadOnlyPolicyReconciler implements Reconciler<ReadOnlyPolicy>, Cleaner<ReadOnlyPolicy>, AutoCloseable {
  public static final String NAME = "readonlypolicy";
  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyPolicyReconciler.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  private static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final PolicyStatusAssembler statuses;
  private final Clock clock;
  private final RootlockMetrics metrics;
  private final EventRecorder events;
  private final ReportWriter reports;
  private final DriftLimit driftFight;
  private volatile DriftFights fights;
  private final Map<ResourceID, Integer> transientFailures = new ConcurrentHashMap<>();
  private final PolicyNudges nudges = new PolicyNudges();
  private final StatusPace statusPace;
  private final Announcements announcements;
  private final Hardener hardener;
  /** Per policy: what the engine answered in its last reconcile, while the answer holds. */
  private final Map<ResourceID, HardeningMemo> memos = new ConcurrentHashMap<>();
  private final PassedTests passes;
  private volatile WorkloadCaches workloads;
  private volatile WorkloadToPolicies workloadToPolicies;
  private volatile InformerEventSource<ReadOnlyPolicy, ReadOnlyPolicy> siblings;
  private volatile RolloutWatches<ResourceID> rollouts;

  /**
   * @param reports where per-workload results are published as policy reports ({@code --reports})
   * @param driftFight when to stop correcting a workload someone keeps reverting
   * @param seeding whether the API server serves image volumes, and the copier image (seeded paths)
   */
  public ReadOnlyPolicyReconciler(RootlockMetrics metrics, EventRecorder events, ReportWriter reports,
      DriftLimit driftFight, SeedPlatform seeding) {
    this(Clock.systemUTC(), metrics, events, reports, driftFight, seeding);
  }

  ReadOnlyPolicyReconciler(Clock clock, RootlockMetrics metrics, EventRecorder events, ReportWriter reports,
      DriftLimit driftFight, SeedPlatform seeding) {
    this.hardener = new Hardener(seeding);
    this.statuses = new PolicyStatusAssembler(clock);
    this.clock = clock;
    this.statusPace = new StatusPace(clock, StatusPace.INTERVAL);
    this.metrics = metrics;
    this.events = events;
    this.reports = reports;
    this.driftFight = driftFight;
    this.announcements = new Announcements(events, metrics);
    this.passes = new PassedTests();
  }

  @Override
  public List<EventSource<?, ReadOnlyPolicy>> prepareEventSources(EventSourceContext<ReadOnlyPolicy> context) {
    workloadToPolicies = new WorkloadToPolicies(context.getPrimaryCache(), passes::forget);
    workloads = new WorkloadCaches(context, workloadToPolicies, passes,
        Boolean.parseBoolean(System.getProperty("rootlock.cache.trim", "true")));
    siblings = SiblingPolicies.eventSource(context);
    rollouts = new RolloutWatches<>(context.getClient(), policy -> nudges.nudge(Set.of(policy)));
    var client = context.getClient();
    fights = new DriftFights(driftFight, clock, w -> {
      try {
        return client.resources(w.kind().type()).inNamespace(w.namespace()).withName(w.name()).get();
      } catch (KubernetesClientException e) {
        return null; // the message then names no writer; nothing else depends on it
      }
    });
    List<EventSource<?, ReadOnlyPolicy>> sources = new ArrayList<>(workloads.eventSources());
    sources.add(siblings);
    sources.add(nudges);
    return sources;
  }

  @Override
  public UpdateControl<ReadOnlyPolicy> reconcile(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    Timer.Sample sample = metrics.startReconcile();
    // every log line of this reconcile carries these (fields in --log-format json)
    MDC.put("namespace", policy.getMetadata().getNamespace());
    MDC.put("policy", policy.getMetadata().getName());
    try {
      return reconcileTimed(policy, context);
    } finally {
      MDC.clear();
      metrics.stopReconcile(sample);
    }
  }

  private UpdateControl<ReadOnlyPolicy> reconcileTimed(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String namespace = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    ResourceID id = ResourceID.fromResource(policy);
    passes.begin(clock.instant());
    PolicyRules.Validation validation = PolicyRules.from(policy.getSpec());
    if (!validation.isValid()) {
      LOG.warn("invalid spec namespace={} policy={} errors=\"{}\"", namespace, name, validation.describeErrors());
      metrics.invalid(namespace, name, policy.getSpec() == null ? null : policy.getSpec().getMode());
      rollouts.retain(id, Set.of()); // nothing is judged while invalid
      memos.remove(id);
      return statusUpdate(policy, context, statuses.invalid(policy, validation), false, null);
    }
    PolicyRules rules = validation.rules();
    HardeningMemo memo = memos.computeIfAbsent(id, k -> new HardeningMemo(hardener));
    PolicyRound.Result result = round(policy, rules, context, memo).run(workloads.in(namespace));

    rollouts.retain(id, result.selected().stream().filter(Outcome::following)
        .map(o -> o.kind() + "/" + namespace + "/" + o.name()).collect(Collectors.toSet()));
    boolean retry = result.selected().stream().anyMatch(Outcome::transientFailure)
        || result.unreleased().stream().anyMatch(Outcome::transientFailure);
    if (result.selected().stream().anyMatch(o -> o.action() != Outcome.Action.NONE)) {
      transientFailures.remove(id); // progress: start the backoff over
    }
    ReadOnlyPolicyStatus status = statuses.of(policy, result.selected(), result.unreleased());
    Map<WorkloadState, Integer> counts = new EnumMap<>(WorkloadState.class);
    result.selected().forEach(o -> counts.merge(o.state(), 1, Integer::sum));
    metrics.observed(namespace, name, rules.mode(), counts, PolicyStatusAssembler.isReady(status),
        status.getWarnings());
    announcements.memoryRisks(policy, result.selected(), () -> byKey(policy));
    announcements.driftFights(policy, result.selected(), () -> byKey(policy));
    Duration recheck = result.selected().stream().map(Outcome::recheckIn).filter(Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(null);
    ReadOnlyPolicyStatus before = policy.getStatus();
    UpdateControl<ReadOnlyPolicy> control = statusUpdate(policy, context, status, retry, recheck);
    if (Objects.equals(before, status) || policy.getStatus() == status) {
      // the status holds or is written now: the report follows the same rule (not mid-rollout progress)
      publishReport(policy, result.selected());
    }
    return control;
  }

  private void publishReport(ReadOnlyPolicy policy, List<Outcome> selected) {
    String namespace = policy.getMetadata().getNamespace();
    Map<String, Workload> byKey = byKey(policy);
    List<ReportEntry> entries = selected.stream().map(o -> {
      Workload w = byKey.get(o.kind() + "/" + o.name());
      return new ReportEntry(w == null ? "" : w.kind().apiVersion(), o.kind(), namespace, o.name(),
          w == null ? null : w.object().getMetadata().getUid(), o.state(), PolicyStatusAssembler.message(o));
    }).toList();
    try {
      reports.publish(new PolicyReports.Policy(namespace, policy.getMetadata().getName(),
          policy.getMetadata().getUid()), entries);
    } catch (KubernetesClientException e) {
      // a report is a copy of the status: it is tried again at the next reconcile, nothing else waits on it
      LOG.warn("policy report not written namespace={} policy={} code={} message=\"{}\"", namespace,
          policy.getMetadata().getName(), e.getCode(), e.getMessage());
    }
  }

  /** Everything one reconcile of {@code policy} needs: its neighbours, its memo, and how it writes. */
  private PolicyRound round(ReadOnlyPolicy policy, PolicyRules rules, Context<ReadOnlyPolicy> context,
      HardeningMemo memo) {
    String namespace = policy.getMetadata().getNamespace();
    String me = policy.getMetadata().getName();
    // Read from the sibling informer: its events re-queue this policy when a neighbour changes.
    List<ReadOnlyPolicy> others = siblings.list(namespace).filter(p -> !p.getMetadata().getName().equals(me)).toList();
    Neighbours neighbours = new Neighbours(policy, others, owner -> {
      try {
        return context.getClient().resources(ReadOnlyPolicy.class).inNamespace(namespace).withName(owner).get() != null;
      } catch (KubernetesClientException e) {
        return true; // unsure: never take a workload from a policy that may exist
      }
    });
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    return new PolicyRound(neighbours, rules, generation, sync(context, ResourceID.fromResource(policy), memo), memo);
  }

  private WorkloadSync sync(Context<ReadOnlyPolicy> context, ResourceID policy, HardeningMemo memo) {
    WorkloadWriter writer = new WorkloadWriter(new WorkloadPatcher(context.getClient()),
        new WriteEffects(workloads, workloadToPolicies, nudges, metrics, events, policy));
    RolloutFollower follower = new RolloutFollower(hardener, writer, clock,
        w -> rollouts.related(policy, w.key(), w.namespace()), passes);
    return new WorkloadSync(memo, writer, follower, clock, fights);
  }

  @Override
  public DeleteControl cleanup(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String me = policy.getMetadata().getName();
    ResourceID id = ResourceID.fromResource(policy);
    HardeningMemo memo = new HardeningMemo(hardener);
    // Deleting a policy undoes its work whatever its mode: an Audit policy only owns what it
    // hardened while it was enforcing, and nothing else would ever undo that.
    PolicyRound round = new PolicyRound(new Neighbours(policy, List.of(), owner -> true), PolicyRules.from(null).rules(),
        0, sync(context, id, memo), memo);
    List<String> pending = new ArrayList<>();
    MDC.put("namespace", policy.getMetadata().getNamespace());
    MDC.put("policy", me);
    for (Workload w : workloads.in(policy.getMetadata().getNamespace())) {
      if (!round.isMine(w)) {
        continue;
      }
      MDC.put("workload", w.name());
      Outcome o = round.releaseForDeletion(w);
      if (o.transientFailure()) {
        pending.add(w.describe());
      } else if (o.state() == WorkloadState.Failed) {
        // An untrusted record or a refused patch: reverting by guesswork could break the app.
        LOG.warn("left unreverted namespace={} policy={} kind={} workload={} reason={} message=\"{}\"",
            w.namespace(), me, w.kind(), o.name(), o.reason(), o.message());
        events.warning(w.object(), "Revert", o.reason(), "policy " + me + " was deleted but could not revert this "
            + w.kind() + ", which keeps its hardening: " + o.message());
      }
    }
    MDC.clear();
    if (!pending.isEmpty()) {
      int failures = transientFailures.merge(id, 1, Integer::sum);
      LOG.info("cleanup of policy {} waits for {}; retrying", me, pending);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(backoff(failures));
    }
    transientFailures.remove(id);
    rollouts.retain(id, Set.of());
    statusPace.forget(id);
    announcements.forget(id);
    memos.remove(id);
    reports.forget(policy.getMetadata().getNamespace(), me); // the reports go with the policy (owner references)
    metrics.deleted(policy.getMetadata().getNamespace(), me);
    return DeleteControl.defaultDelete();
  }

  /** @param recheck when to look again even without an event (a rollout timeout), or null */
  private UpdateControl<ReadOnlyPolicy> statusUpdate(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context,
      ReadOnlyPolicyStatus status, boolean transientFailure, Duration recheck) {
    UpdateControl<ReadOnlyPolicy> control;
    ResourceID id = ResourceID.fromResource(policy);
    Duration wait = statusPace.delay(id, policy.getStatus(), status);
    announcements.conditionChanges(policy, status);
    if (Objects.equals(policy.getStatus(), status)) {
      control = UpdateControl.noUpdate();
    } else if (!wait.isZero()) {
      // Mid-rollout progress only: written at most once per interval, the next look is booked.
      control = UpdateControl.noUpdate();
      recheck = recheck == null || wait.compareTo(recheck) < 0 ? wait : recheck;
    } else {
      StatusWriter.write(context, policy, status);
      statusPace.written(id);
      policy.setStatus(status); // what the caller checks to know it was written
      control = UpdateControl.noUpdate();
    }
    if (!transientFailure) {
      transientFailures.remove(id);
      return recheck == null ? control : control.rescheduleAfter(recheck);
    }
    Duration retry = backoff(transientFailures.merge(id, 1, Integer::sum));
    return control.rescheduleAfter(recheck == null || retry.compareTo(recheck) < 0 ? retry : recheck);
  }

  /** The policy's namespace's workloads by kind/name. */
  private Map<String, Workload> byKey(ReadOnlyPolicy policy) {
    return workloads.in(policy.getMetadata().getNamespace()).stream()
        .collect(Collectors.toMap(w -> w.kind().kind() + "/" + w.name(), w -> w, (a, b) -> a));
  }

  /** Stops following rollouts (operator shutdown). */
  @Override
  public void close() {
    if (rollouts != null) {
      rollouts.close();
    }
  }

  /** 5 s, 10 s, 20 s, ... capped at 5 minutes. */
  static Duration backoff(int failures) {
    long seconds = FIRST_RETRY.toSeconds() << Math.min(Math.max(failures - 1, 0), 10);
    return Duration.ofSeconds(Math.min(MAX_RETRY.toSeconds(), seconds));
  }
}
