package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.decision.PolicySet;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.acting.AfterWrite;
import dev.rootlock.reconciler.acting.Enforcer;
import dev.rootlock.reconciler.acting.WorkloadPatcher;
import dev.rootlock.reconciler.acting.WorkloadWriter;
import dev.rootlock.reconciler.observing.DriftFights;
import dev.rootlock.reconciler.observing.DriftLimit;
import dev.rootlock.reconciler.observing.PassedTests;
import dev.rootlock.reconciler.observing.RolloutFollower;
import dev.rootlock.reconciler.round.EngineAnswerCache;
import dev.rootlock.reconciler.round.Reconcile;
import dev.rootlock.reconciler.round.RetryBackoff;
import dev.rootlock.reconciler.round.RolloutSlots;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reconciler.sources.PolicyChangeEventSource;
import dev.rootlock.reconciler.sources.RequeueEventSource;
import dev.rootlock.reconciler.sources.WorkloadEventMapper;
import dev.rootlock.reconciler.sources.WorkloadInformers;
import dev.rootlock.reconciler.status.PolicyReporter;
import dev.rootlock.reconciler.status.StatusWriter;
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
import java.util.Collections;
import java.util.Comparator;
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

  private final Clock clock;
  private final RootlockMetrics metrics;
  private final EventRecorder events;
  private final Duration podLookAfter;
  private final PolicyReporter reporter;
  private final DriftLimit driftFight;
  private final boolean trimCaches;
  private final RetryBackoff backoff = new RetryBackoff();
  private final RequeueEventSource nudges = new RequeueEventSource();
  private final Hardener hardener;
  /** Per policy: what the engine answered in its last reconcile, while the answer holds. */
  private final Map<ResourceID, EngineAnswerCache> answers = new ConcurrentHashMap<>();
  private final PassedTests passes;
  // Built once in prepareEventSources, which JOSDK calls before the first reconcile.
  private volatile WorkloadInformers workloads;
  private volatile InformerEventSource<ReadOnlyPolicy, ReadOnlyPolicy> siblings;
  private volatile RolloutWatches<ResourceID> rollouts;
  private volatile AfterWrite afterWrite;
  private volatile Enforcer enforcer;

  /**
   * @param reports where per-workload results are published as policy reports ({@code --reports})
   * @param driftFight when to stop correcting a workload someone keeps reverting
   * @param trimCaches whether the workload informers drop what Rootlock never reads
   * @param seeding whether the API server serves image volumes, and the copier image (seeded paths)
   * @param podLookAfter how long a followed rollout's status may stand still before its pods are listed
   */
  public ReadOnlyPolicyReconciler(RootlockMetrics metrics, EventRecorder events, ReportWriter reports,
      DriftLimit driftFight, boolean trimCaches, SeedPlatform seeding, Duration podLookAfter) {
    this(Clock.systemUTC(), metrics, events, reports, driftFight, trimCaches, seeding, podLookAfter);
  }

  ReadOnlyPolicyReconciler(Clock clock, RootlockMetrics metrics, EventRecorder events, ReportWriter reports,
      DriftLimit driftFight, boolean trimCaches, SeedPlatform seeding, Duration podLookAfter) {
    this.podLookAfter = podLookAfter;
    this.trimCaches = trimCaches;
    this.hardener = new Hardener(seeding);
    this.clock = clock;
    this.metrics = metrics;
    this.events = events;
    this.reporter = new PolicyReporter(clock, metrics, events, reports);
    this.driftFight = driftFight;
    this.passes = new PassedTests();
  }

  @Override
  public List<EventSource<?, ReadOnlyPolicy>> prepareEventSources(EventSourceContext<ReadOnlyPolicy> context) {
    var client = context.getClient();
    WorkloadEventMapper toPolicies = new WorkloadEventMapper(context.getPrimaryCache(), passes::forget);
    workloads = new WorkloadInformers(context, toPolicies, passes, trimCaches);
    siblings = PolicyChangeEventSource.eventSource(context);
    rollouts = new RolloutWatches<>(client, policy -> nudges.nudge(Set.of(policy)), clock, podLookAfter);
    // Built once: everything about one reconcile comes with each call (round/Reconcile).
    afterWrite = new AfterWrite(workloads, toPolicies, nudges, metrics, events, clock);
    WorkloadWriter writer = new WorkloadWriter(new WorkloadPatcher(client), afterWrite);
    RolloutFollower follower = new RolloutFollower(hardener, writer, clock,
        (policy, w) -> w.watchesRelated() ? rollouts.related(policy, w.key(), w.namespace())
            : rollouts.looked(policy, w.key(), w.namespace()), passes);
    DriftFights fights = new DriftFights(driftFight, clock, w -> {
      try {
        return client.resources(w.kind().type()).inNamespace(w.namespace()).withName(w.name()).get();
      } catch (KubernetesClientException e) {
        return null; // the message then names no writer; nothing else depends on it
      }
    });
    enforcer = new Enforcer(hardener, writer, follower, clock, fights);
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
      passes.begin(clock.instant());
      PolicyRules.Validation validation = PolicyRules.from(policy.getSpec());
      if (!validation.isValid()) {
        return invalid(policy, validation, context);
      }
      ResourceID id = ResourceID.fromResource(policy);
      Reconcile r = Reconcile.of(policy, validation.rules(), answers.computeIfAbsent(id,
          k -> new EngineAnswerCache(hardener)));
      PolicyRound.Outcomes result = new PolicyRound(r, policy, policiesOf(policy, context), enforcer)
          .run(workloads.in(r.namespace()));
      afterWrite.announce(policy, WorkloadOutcome.settled(result.selected()));
      return report(policy, r, result, context);
    } finally {
      MDC.clear();
      metrics.stopReconcile(sample);
    }
  }

  private UpdateControl<ReadOnlyPolicy> invalid(ReadOnlyPolicy policy, PolicyRules.Validation validation,
      Context<ReadOnlyPolicy> context) {
    LOG.warn("invalid spec namespace={} policy={} errors=\"{}\"", policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(), validation.describeErrors());
    ResourceID id = ResourceID.fromResource(policy);
    rollouts.retain(id, Set.of()); // nothing is judged while invalid
    answers.remove(id);
    return nextLook(id, reporter.invalid(policy, validation, context), false, null);
  }

  /** Follows up one round: the rollouts to watch, the status and the rest of the report, the next look. */
  private UpdateControl<ReadOnlyPolicy> report(ReadOnlyPolicy policy, Reconcile r, PolicyRound.Outcomes result,
      Context<ReadOnlyPolicy> context) {
    rollouts.retain(r.policy(), result.selected().stream().filter(WorkloadOutcome::following)
        .map(o -> o.kind() + "/" + r.namespace() + "/" + o.name()).collect(Collectors.toSet()));
    boolean retry = result.selected().stream().anyMatch(WorkloadOutcome::transientFailure)
        || result.unreleased().stream().anyMatch(WorkloadOutcome::transientFailure);
    if (result.selected().stream().anyMatch(o -> o.action() != WorkloadOutcome.Action.NONE)) {
      backoff.reset(r.policy()); // progress: start the backoff over
    }
    StatusWriter.Update update = reporter.reconciled(policy, r.rules().mode(), result.selected(),
        result.unreleased(), context, () -> byKey(policy));
    Duration recheck = result.selected().stream().map(WorkloadOutcome::recheckIn).filter(Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(null);
    return nextLook(r.policy(), update, retry, recheck);
  }

  /** The namespace's policies as the sibling informer holds them, {@code policy} among them. */
  private PolicySet policiesOf(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String namespace = policy.getMetadata().getNamespace();
    String me = policy.getMetadata().getName();
    // Read from the sibling informer: its events re-queue this policy when a neighbour changes.
    List<ReadOnlyPolicy> all = new ArrayList<>(List.of(policy));
    siblings.list(namespace).filter(p -> !p.getMetadata().getName().equals(me)).forEach(all::add);
    // A recorded owner this cache does not know may be a policy created a moment ago (the cache
    // lags) or one long gone: ask the API server once per reconcile rather than guess.
    return PolicySet.of(all, owner -> {
      try {
        return context.getClient().resources(ReadOnlyPolicy.class).inNamespace(namespace).withName(owner).get() != null;
      } catch (KubernetesClientException e) {
        return true; // unsure: never take a workload from a policy that may exist
      }
    });
  }

  @Override
  public DeleteControl cleanup(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String me = policy.getMetadata().getName();
    ResourceID id = ResourceID.fromResource(policy);
    // Deleting a policy undoes its work whatever its mode: an Audit policy only owns what it
    // hardened while it was enforcing, and nothing else would ever undo that.
    Reconcile r = new Reconcile(id, 0, PolicyRules.from(null).rules(), new RolloutSlots(1),
        new EngineAnswerCache(hardener));
    PolicyRound round = new PolicyRound(r, policy, PolicySet.of(List.of(policy), owner -> true), enforcer);
    List<String> pending = new ArrayList<>();
    MDC.put("namespace", policy.getMetadata().getNamespace());
    MDC.put("policy", me);
    for (Workload w : workloads.in(policy.getMetadata().getNamespace())) {
      MDC.put("workload", w.name());
      WorkloadOutcome o = round.releaseForDeletion(w);
      if (o == null || o.isGone()) {
        continue; // nothing of this policy's on it, or deleted meanwhile: nothing to revert
      }
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
    afterWrite.announce(policy, true);
    if (!pending.isEmpty()) {
      LOG.info("cleanup of policy {} waits for {}; retrying", me, pending);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(backoff.failed(id));
    }
    backoff.reset(id);
    rollouts.retain(id, Set.of());
    answers.remove(id);
    reporter.forget(id);
    return DeleteControl.defaultDelete();
  }

  /**
   * When to look at the policy again without an event: the earliest of a rollout's timeout
   * ({@code recheck}, or null), deferred status progress, and the backoff after a transient failure.
   */
  private UpdateControl<ReadOnlyPolicy> nextLook(ResourceID id, StatusWriter.Update status, boolean transientFailure,
      Duration recheck) {
    List<Duration> looks = new ArrayList<>();
    if (recheck != null) {
      looks.add(recheck);
    }
    if (!status.stored()) {
      looks.add(status.deferredFor()); // mid-rollout progress: written at most once per interval
    }
    if (transientFailure) {
      looks.add(backoff.failed(id));
    } else {
      backoff.reset(id);
    }
    UpdateControl<ReadOnlyPolicy> control = UpdateControl.noUpdate();
    return looks.isEmpty() ? control : control.rescheduleAfter(Collections.min(looks));
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
}
