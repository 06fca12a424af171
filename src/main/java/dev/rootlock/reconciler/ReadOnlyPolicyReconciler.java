package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.rollout.RolloutWatches;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Thin glue: reads the policy and the Deployments of its namespace from the informer caches,
 * decides per Deployment (exclusion, ownership, selection, mode), lets {@link WorkloadSync} harden,
 * evaluate or undo, and reports. Writes nothing when nothing needs to change, status included.
 */
@ControllerConfiguration(name = ReadOnlyPolicyReconciler.NAME, finalizerName = Annotations.FINALIZER)
public class ReadOnlyPolicyReconciler implements Reconciler<ReadOnlyPolicy>, Cleaner<ReadOnlyPolicy>, AutoCloseable {
  public static final String NAME = "readonlypolicy";
  /** Attempts per workload and reconcile when other writers keep winning the race. */
  static final int MAX_ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyPolicyReconciler.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  private static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final PolicyStatusAssembler statuses;
  private final Clock clock;
  private final RootlockMetrics metrics;
  private final EventRecorder events;
  private final Map<ResourceID, Integer> transientFailures = new ConcurrentHashMap<>();
  private final PolicyNudges nudges = new PolicyNudges();
  private final StatusPace statusPace;
  private final Hardener hardener = new Hardener();
  /** Per policy: what the engine answered in its last reconcile, while the answer holds. */
  private final Map<ResourceID, HardeningMemo> memos = new ConcurrentHashMap<>();
  private volatile InformerEventSource<Deployment, ReadOnlyPolicy> deployments;
  private volatile DeploymentToPolicies deploymentToPolicies;
  private volatile InformerEventSource<ReadOnlyPolicy, ReadOnlyPolicy> siblings;
  private volatile RolloutWatches<ResourceID> rollouts;

  public ReadOnlyPolicyReconciler(RootlockMetrics metrics, EventRecorder events) {
    this(Clock.systemUTC(), metrics, events);
  }

  ReadOnlyPolicyReconciler(Clock clock, RootlockMetrics metrics, EventRecorder events) {
    this.statuses = new PolicyStatusAssembler(clock);
    this.clock = clock;
    this.statusPace = new StatusPace(clock, StatusPace.INTERVAL);
    this.metrics = metrics;
    this.events = events;
  }

  @Override
  public List<EventSource<?, ReadOnlyPolicy>> prepareEventSources(EventSourceContext<ReadOnlyPolicy> context) {
    var mapper = new DeploymentToPolicies(context.getPrimaryCache());
    deploymentToPolicies = mapper;
    var deploymentConfig = InformerEventSourceConfiguration.from(Deployment.class, ReadOnlyPolicy.class)
        .withSecondaryToPrimaryMapper(mapper)
        // Status-only updates (replica counts during a rollout) cannot change any decision.
        .withOnUpdateFilter(DeploymentToPolicies::relevantChange)
        // Thousands of Deployments: cache them without what Rootlock never reads (the property
        // exists only so the benchmark can measure what trimming saves).
        .withItemStore(Boolean.parseBoolean(System.getProperty("rootlock.cache.trim", "true"))
            ? new TrimmingDeploymentStore() : null)
        .build();
    deployments = new InformerEventSource<>(deploymentConfig, context);
    mapper.forgetWhenNotIn(id -> deployments.get(id).isPresent());
    siblings = SiblingPolicies.eventSource(context);
    rollouts = new RolloutWatches<>(context.getClient(), policy -> nudges.nudge(Set.of(policy)));
    return List.of(deployments, siblings, nudges);
  }

  /** Everything one reconcile needs to know about the policies of a namespace. */
  private record Neighbourhood(WorkloadSync.Policy policy, PolicyRules rules, Map<ReadOnlyPolicy, LabelSelector> enforcing,
      Set<String> unsettled, Set<String> existing, Predicate<String> existsOnServer) {
    String me() {
      return policy.name();
    }
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
    PolicyRules.Validation validation = PolicyRules.from(policy.getSpec());
    if (!validation.isValid()) {
      LOG.warn("invalid spec namespace={} policy={} errors=\"{}\"", namespace, name, validation.describeErrors());
      metrics.invalid(namespace, name, policy.getSpec() == null ? null : policy.getSpec().getMode());
      rollouts.retain(ResourceID.fromResource(policy), Set.of()); // nothing is judged while invalid
      memos.remove(ResourceID.fromResource(policy));
      return statusUpdate(policy, statuses.invalid(policy, validation), false);
    }
    Neighbourhood n = neighbourhood(policy, validation.rules(), context);
    HardeningMemo memo = memos.computeIfAbsent(ResourceID.fromResource(policy), k -> new HardeningMemo(hardener));
    WorkloadSync sync = workloadSync(context, ResourceID.fromResource(policy), memo);
    Pacer pacer = new Pacer(n.rules().rollout().maxInProgress());

    List<Outcome> selected = new ArrayList<>();
    List<Outcome> unreleased = new ArrayList<>();
    // Rollouts already followed first, so the pacer knows how many slots they hold.
    Map<Boolean, List<Deployment>> followed = deploymentsIn(namespace).stream()
        .collect(Collectors.partitioningBy(d -> isFollowedBy(n.me(), d, memo)));
    List<Deployment> ordered = new ArrayList<>(followed.get(true));
    ordered.addAll(followed.get(false));
    try {
      for (Deployment d : ordered) {
        MDC.put("workload", d.getMetadata().getName());
        if (LabelSelectors.matches(n.rules().selector(), d.getMetadata().getLabels())) {
          selected.add(withRetries(d, fresh -> decide(n, fresh, sync, pacer)));
        } else if (n.me().equals(Ownership.recordedOwner(d)) && n.rules().mode() == Mode.Enforce) {
          Outcome o = withRetries(d, fresh -> releaseIfStillMine(n.me(), fresh, sync,
              "no longer selected by policy " + n.me()));
          if (o.state() == WorkloadState.Failed) {
            unreleased.add(o);
          }
        }
      }
    } finally {
      memo.endRound(); // a reconcile that throws still forgets what it did not use
    }
    MDC.remove("workload");
    rollouts.retain(ResourceID.fromResource(policy), selected.stream().filter(Outcome::following)
        .map(o -> namespace + "/" + o.name()).collect(Collectors.toSet()));
    boolean retry = selected.stream().anyMatch(Outcome::transientFailure)
        || unreleased.stream().anyMatch(Outcome::transientFailure);
    if (selected.stream().anyMatch(o -> o.action() != Outcome.Action.NONE)) {
      transientFailures.remove(ResourceID.fromResource(policy)); // progress: start the backoff over
    }
    ReadOnlyPolicyStatus status = statuses.of(policy, selected, unreleased);
    Map<WorkloadState, Integer> counts = new EnumMap<>(WorkloadState.class);
    selected.forEach(o -> counts.merge(o.state(), 1, Integer::sum));
    metrics.observed(namespace, name, n.rules().mode(), counts, PolicyStatusAssembler.isReady(status));
    Duration recheck = selected.stream().map(Outcome::recheckIn).filter(Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(null);
    return statusUpdate(policy, status, retry, recheck);
  }

  private static boolean isFollowedBy(String policy, Deployment d, HardeningMemo memo) {
    return policy.equals(Ownership.recordedOwner(d)) && memo.rollout(d).follows(d.getMetadata().getGeneration());
  }

  /**
   * The policies of the namespace, read from the sibling informer: it is the one whose events
   * re-queue this policy when a neighbour changes, so it already holds that change.
   */
  private Neighbourhood neighbourhood(ReadOnlyPolicy policy, PolicyRules rules, Context<ReadOnlyPolicy> context) {
    String me = policy.getMetadata().getName();
    List<ReadOnlyPolicy> all = new ArrayList<>(siblings.list(policy.getMetadata().getNamespace())
        .filter(p -> !p.getMetadata().getName().equals(me)).toList());
    all.add(policy);
    // Each neighbour's spec is validated once per reconcile, not once per Deployment.
    Map<ReadOnlyPolicy, LabelSelector> enforcing = new HashMap<>();
    Set<String> unsettled = new HashSet<>();
    for (ReadOnlyPolicy p : all) {
      PolicyRules.Validation v = PolicyRules.from(p.getSpec());
      if (p.getMetadata().getDeletionTimestamp() != null || !v.isValid()) {
        unsettled.add(p.getMetadata().getName());
      } else if (v.rules().mode() == Mode.Enforce) {
        enforcing.put(p, v.rules().selector());
      }
    }
    Set<String> existing = all.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    // A recorded owner this cache does not know may be a policy created a moment ago (the cache
    // lags) or one long gone: ask the API server once per reconcile rather than guess.
    Map<String, Boolean> asked = new HashMap<>();
    Predicate<String> existsOnServer = name -> asked.computeIfAbsent(name, k -> {
      try {
        return context.getClient().resources(ReadOnlyPolicy.class)
            .inNamespace(policy.getMetadata().getNamespace()).withName(k).get() != null;
      } catch (KubernetesClientException e) {
        return true; // unsure: never take a workload from a policy that may exist
      }
    });
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    return new Neighbourhood(new WorkloadSync.Policy(me, generation), rules, enforcing, unsettled, existing,
        existsOnServer);
  }

  /** One decision for one selected Deployment, as read. */
  private WorkloadSync.Step decide(Neighbourhood n, Deployment d, WorkloadSync sync, Pacer pacer) {
    String name = d.getMetadata().getName();
    String recorded = Ownership.recordedOwner(d);
    boolean audit = n.rules().mode() == Mode.Audit;
    boolean unknownOwner = recorded != null && !recorded.equals(n.me()) && !n.existing().contains(recorded);
    boolean ownerIsGone = unknownOwner && !n.existsOnServer().test(recorded);
    if ("true".equalsIgnoreCase(WorkloadSync.annotation(d, Annotations.EXCLUDE))) {
      String why = "annotated " + Annotations.EXCLUDE + "=true; Rootlock leaves it unchanged";
      // Ours to undo, or an orphan whose owner is gone and can never undo it.
      boolean undo = recorded != null && (recorded.equals(n.me()) || ownerIsGone);
      if (undo && !audit) {
        return sync.release(n.me(), d, WorkloadState.Excluded, why);
      }
      return done(Outcome.of(name, WorkloadState.Excluded, "Excluded",
          undo ? why + "; its hardening would be reverted (Audit mode: nothing written)" : why));
    }
    if (audit) {
      return done(sync.evaluate(n.rules(), d, n.me().equals(recorded)));
    }
    List<ReadOnlyPolicy> claimants = n.enforcing().entrySet().stream()
        .filter(e -> LabelSelectors.matches(e.getValue(), d.getMetadata().getLabels()))
        .map(Map.Entry::getKey)
        .toList();
    Set<String> keepers = n.unsettled();
    if (unknownOwner && !ownerIsGone) {
      keepers = new HashSet<>(keepers);
      keepers.add(recorded); // a policy newer than this cache: it keeps what it just hardened
    }
    String owner = Ownership.owner(d, claimants, keepers).orElse(n.me());
    if (!owner.equals(n.me())) {
      String why = n.unsettled().contains(owner) ? " (it is invalid or being deleted and keeps what it hardened)" : "";
      return done(Outcome.of(name, WorkloadState.Conflict, "Conflict", "also selected by policy " + owner
          + ", which owns it" + why + "; narrow one of the selectors or annotate the Deployment "
          + Annotations.EXCLUDE + "=true"));
    }
    return sync.harden(n.policy(), n.rules(), d, pacer);
  }

  private static WorkloadSync.Step releaseIfStillMine(String me, Deployment d, WorkloadSync sync, String why) {
    if (!me.equals(Ownership.recordedOwner(d))) {
      return done(Outcome.of(d.getMetadata().getName(), WorkloadState.Compliant, "Released", "no longer ours"));
    }
    return sync.release(me, d, WorkloadState.Compliant, why);
  }

  /** Runs {@code attempt} until it is done, deciding again from a fresh read after each lost race. */
  private static Outcome withRetries(Deployment d, Function<Deployment, WorkloadSync.Step> attempt) {
    Deployment current = d;
    for (int i = 1; i <= MAX_ATTEMPTS; i++) {
      WorkloadSync.Step step = attempt.apply(current);
      if (step instanceof WorkloadSync.Step.Done done) {
        return done.outcome();
      }
      current = ((WorkloadSync.Step.Retry) step).fresh();
    }
    return new Outcome(d.getMetadata().getName(), WorkloadState.Failed, "WriteConflict",
        "changed by another writer " + MAX_ATTEMPTS + " times in a row; will retry", Outcome.Action.NONE, true);
  }

  private static WorkloadSync.Step done(Outcome o) {
    return new WorkloadSync.Step.Done(o);
  }

  @Override
  public DeleteControl cleanup(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String me = policy.getMetadata().getName();
    WorkloadSync sync = workloadSync(context, ResourceID.fromResource(policy), new HardeningMemo(hardener));
    List<String> pending = new ArrayList<>();
    MDC.put("namespace", policy.getMetadata().getNamespace());
    MDC.put("policy", me);
    for (Deployment d : deploymentsIn(policy.getMetadata().getNamespace())) {
      if (!me.equals(Ownership.recordedOwner(d))) {
        continue;
      }
      MDC.put("workload", d.getMetadata().getName());
      // Deleting a policy undoes its work whatever its mode: an Audit policy only owns what it
      // hardened while it was enforcing, and nothing else would ever undo that.
      Outcome o = withRetries(d, fresh -> releaseIfStillMine(me, fresh, sync, "policy " + me + " deleted"));
      if (o.transientFailure()) {
        pending.add(d.getMetadata().getName());
      } else if (o.state() == WorkloadState.Failed) {
        // An untrusted record or a refused patch: reverting by guesswork could break the app.
        LOG.warn("left unreverted namespace={} policy={} workload={} reason={} message=\"{}\"",
            d.getMetadata().getNamespace(), me, o.name(), o.reason(), o.message());
        events.warning(d, "Revert", o.reason(), "policy " + me + " was deleted but could not revert this "
            + "Deployment, which keeps its hardening: " + o.message());
      }
    }
    MDC.clear();
    if (!pending.isEmpty()) {
      int failures = transientFailures.merge(ResourceID.fromResource(policy), 1, Integer::sum);
      LOG.info("cleanup of policy {} waits for {}; retrying", me, pending);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(backoff(failures));
    }
    transientFailures.remove(ResourceID.fromResource(policy));
    rollouts.retain(ResourceID.fromResource(policy), Set.of());
    statusPace.forget(ResourceID.fromResource(policy));
    memos.remove(ResourceID.fromResource(policy));
    metrics.deleted(policy.getMetadata().getNamespace(), me);
    return DeleteControl.defaultDelete();
  }

  /**
   * After each write: the informer caches the written version at once (so no reconcile computes
   * the same patch from a stale copy), and every other policy concerned hears about it.
   */
  private WorkloadSync workloadSync(Context<ReadOnlyPolicy> context, ResourceID writer, HardeningMemo memo) {
    String namespace = writer.getNamespace().orElseThrow();
    String policy = writer.getName();
    return new WorkloadSync(memo, new DeploymentPatcher(context.getClient()), new WorkloadSync.Listener() {
      @Override
      public void written(Deployment before, Deployment after, RootlockMetrics.Action action, String summary) {
        deployments.handleRecentResourceUpdate(ResourceID.fromResource(after), after, before);
        Set<ResourceID> others = new HashSet<>(deploymentToPolicies.toPrimaryResourceIDs(after));
        others.remove(writer);
        nudges.nudge(others);
        metrics.patch(namespace, policy, action, RootlockMetrics.Result.success);
        if (action == RootlockMetrics.Action.rollback) {
          metrics.rolledBack(namespace, policy);
          events.warning(after, "Rollback", "RolledBack", "policy " + policy + ": " + summary);
        } else if (summary != null) {
          boolean harden = action == RootlockMetrics.Action.harden;
          events.normal(after, harden ? "Harden" : "Revert", harden ? "Hardened" : "Reverted",
              (harden ? "policy " + policy + ": " : "policy " + policy + " reverted its hardening: ") + summary);
        }
      }

      @Override
      public void failed(Deployment d, RootlockMetrics.Action action, RootlockMetrics.Result result) {
        metrics.patch(namespace, policy, action, result);
      }
    }, clock, d -> rollouts.observe(writer, d));
  }

  private List<Deployment> deploymentsIn(String namespace) {
    // get() prefers the version Rootlock just wrote over the informer's not-yet-updated copy
    return deployments.list(namespace)
        .map(d -> deployments.get(ResourceID.fromResource(d)).orElse(d))
        .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
        .filter(d -> d.getSpec() != null && d.getSpec().getTemplate() != null)
        .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
        .toList();
  }

  private UpdateControl<ReadOnlyPolicy> statusUpdate(ReadOnlyPolicy policy, ReadOnlyPolicyStatus status,
      boolean transientFailure) {
    return statusUpdate(policy, status, transientFailure, null);
  }

  /** @param recheck when to look again even without an event (a rollout timeout), or null */
  private UpdateControl<ReadOnlyPolicy> statusUpdate(ReadOnlyPolicy policy, ReadOnlyPolicyStatus status,
      boolean transientFailure, Duration recheck) {
    UpdateControl<ReadOnlyPolicy> control;
    ResourceID id = ResourceID.fromResource(policy);
    Duration wait = statusPace.delay(id, policy.getStatus(), status);
    if (Objects.equals(policy.getStatus(), status)) {
      control = UpdateControl.noUpdate();
    } else if (!wait.isZero()) {
      // Mid-rollout progress only: written at most once per interval, the next look is booked.
      control = UpdateControl.noUpdate();
      recheck = recheck == null || wait.compareTo(recheck) < 0 ? wait : recheck;
    } else {
      statusPace.written(id);
      recordConditionChanges(policy, policy.getStatus(), status);
      policy.setStatus(status);
      control = UpdateControl.patchStatus(policy);
    }
    if (!transientFailure) {
      transientFailures.remove(id);
      return recheck == null ? control : control.rescheduleAfter(recheck);
    }
    Duration retry = backoff(transientFailures.merge(id, 1, Integer::sum));
    return control.rescheduleAfter(recheck == null || retry.compareTo(recheck) < 0 ? retry : recheck);
  }

  /** An Event on the policy for each of Ready and Degraded whose status or reason changed. */
  private void recordConditionChanges(ReadOnlyPolicy policy, ReadOnlyPolicyStatus before, ReadOnlyPolicyStatus after) {
    for (Condition now : after.getConditions()) {
      Condition was = before == null || before.getConditions() == null ? null : before.getConditions().stream()
          .filter(c -> now.getType().equals(c.getType())).findFirst().orElse(null);
      if (was != null && Objects.equals(was.getStatus(), now.getStatus()) && Objects.equals(was.getReason(), now.getReason())) {
        continue;
      }
      boolean bad = PolicyStatusAssembler.READY.equals(now.getType()) != "True".equals(now.getStatus());
      events.record(policy, "Reconcile", now.getReason(), now.getType() + "=" + now.getStatus() + ": " + now.getMessage(), bad);
    }
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
