package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin glue: reads the policy and the Deployments of its namespace from the informer caches,
 * decides per Deployment (ownership, exclusion, selection), lets {@link WorkloadSync} do the
 * hardening or undo, and reports. Writes nothing when nothing needs to change, status included.
 */
@ControllerConfiguration(name = ReadOnlyPolicyReconciler.NAME, finalizerName = Annotations.FINALIZER)
public class ReadOnlyPolicyReconciler implements Reconciler<ReadOnlyPolicy>, Cleaner<ReadOnlyPolicy> {
  public static final String NAME = "readonlypolicy";
  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyPolicyReconciler.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  private static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final PolicyStatusAssembler statuses;
  private final Map<ResourceID, Integer> transientFailures = new ConcurrentHashMap<>();
  private volatile InformerEventSource<Deployment, ReadOnlyPolicy> deployments;

  public ReadOnlyPolicyReconciler() {
    this(Clock.systemUTC());
  }

  ReadOnlyPolicyReconciler(Clock clock) {
    this.statuses = new PolicyStatusAssembler(clock);
  }

  @Override
  public List<EventSource<?, ReadOnlyPolicy>> prepareEventSources(EventSourceContext<ReadOnlyPolicy> context) {
    var config = InformerEventSourceConfiguration.from(Deployment.class, ReadOnlyPolicy.class)
        .withSecondaryToPrimaryMapper(new DeploymentToPolicies(context.getPrimaryCache()))
        // Status-only updates (replica counts during a rollout) cannot change any decision.
        .withOnUpdateFilter(DeploymentToPolicies::relevantChange)
        .build();
    deployments = new InformerEventSource<>(config, context);
    return List.of(deployments);
  }

  @Override
  public UpdateControl<ReadOnlyPolicy> reconcile(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String namespace = policy.getMetadata().getNamespace();
    PolicyRules.Validation validation = PolicyRules.from(policy.getSpec());
    if (!validation.isValid()) {
      LOG.warn("invalid spec namespace={} policy={} errors=\"{}\"", namespace, policy.getMetadata().getName(),
          validation.describeErrors());
      return statusUpdate(policy, statuses.invalid(policy, validation), false);
    }
    PolicyRules rules = validation.rules();
    String me = policy.getMetadata().getName();
    List<ReadOnlyPolicy> live = context.getPrimaryCache().list(namespace)
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> PolicyRules.from(p.getSpec()).isValid())
        .toList();
    WorkloadSync sync = workloadSync(context);

    List<Outcome> outcomes = new ArrayList<>();
    for (Deployment d : deploymentsIn(namespace)) {
      boolean selected = LabelSelectors.matches(rules.selector(), d.getMetadata().getLabels());
      boolean ownedByMe = me.equals(Ownership.recordedOwner(d));
      if (selected) {
        outcomes.add(decide(me, rules, d, live, sync));
      } else if (ownedByMe) {
        sync.release(me, d, WorkloadState.Compliant, "no longer selected by policy " + me);
      }
    }
    boolean retry = outcomes.stream().anyMatch(Outcome::transientFailure);
    return statusUpdate(policy, statuses.of(policy, outcomes), retry);
  }

  private Outcome decide(String me, PolicyRules rules, Deployment d, List<ReadOnlyPolicy> live, WorkloadSync sync) {
    String name = d.getMetadata().getName();
    if ("true".equalsIgnoreCase(WorkloadSync.annotation(d, Annotations.EXCLUDE))) {
      String why = "annotated " + Annotations.EXCLUDE + "=true; Rootlock leaves it unchanged";
      return me.equals(Ownership.recordedOwner(d))
          ? sync.release(me, d, WorkloadState.Excluded, why)
          : Outcome.of(name, WorkloadState.Excluded, "Excluded", why);
    }
    List<ReadOnlyPolicy> claimants = live.stream()
        .filter(p -> LabelSelectors.matches(PolicyRules.from(p.getSpec()).rules().selector(), d.getMetadata().getLabels()))
        .toList();
    String owner = Ownership.owner(d, claimants).map(p -> p.getMetadata().getName()).orElse(me);
    if (!owner.equals(me)) {
      return Outcome.of(name, WorkloadState.Conflict, "Conflict", "also selected by policy " + owner
          + ", which owns it (the policy that hardened it, else the oldest); narrow one of the selectors or"
          + " annotate the Deployment " + Annotations.EXCLUDE + "=true");
    }
    return sync.harden(me, rules, d);
  }

  @Override
  public DeleteControl cleanup(ReadOnlyPolicy policy, Context<ReadOnlyPolicy> context) {
    String me = policy.getMetadata().getName();
    WorkloadSync sync = workloadSync(context);
    List<String> pending = new ArrayList<>();
    for (Deployment d : deploymentsIn(policy.getMetadata().getNamespace())) {
      if (!me.equals(Ownership.recordedOwner(d))) {
        continue;
      }
      Outcome o = sync.release(me, d, WorkloadState.Compliant, "policy " + me + " deleted");
      if (o.transientFailure()) {
        pending.add(d.getMetadata().getName());
      } else if (o.state() == WorkloadState.Failed) {
        // An untrusted record or a refused patch: reverting by guesswork could break the app.
        LOG.warn("left unreverted namespace={} policy={} workload={} reason={} message=\"{}\"",
            d.getMetadata().getNamespace(), me, o.name(), o.reason(), o.message());
      }
    }
    transientFailures.remove(ResourceID.fromResource(policy));
    if (!pending.isEmpty()) {
      LOG.info("cleanup of policy {} waits for {}; retrying", me, pending);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(FIRST_RETRY);
    }
    return DeleteControl.defaultDelete();
  }

  private WorkloadSync workloadSync(Context<ReadOnlyPolicy> context) {
    return new WorkloadSync(new DeploymentPatcher(context.getClient()),
        (before, after) -> deployments.handleRecentResourceUpdate(ResourceID.fromResource(after), after, before));
  }

  private List<Deployment> deploymentsIn(String namespace) {
    return deployments.list(namespace)
        .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
        .filter(d -> d.getSpec() != null && d.getSpec().getTemplate() != null)
        .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
        .toList();
  }

  private UpdateControl<ReadOnlyPolicy> statusUpdate(ReadOnlyPolicy policy, ReadOnlyPolicyStatus status,
      boolean transientFailure) {
    UpdateControl<ReadOnlyPolicy> control;
    if (Objects.equals(policy.getStatus(), status)) {
      control = UpdateControl.noUpdate();
    } else {
      policy.setStatus(status);
      control = UpdateControl.patchStatus(policy);
    }
    ResourceID id = ResourceID.fromResource(policy);
    if (!transientFailure) {
      transientFailures.remove(id);
      return control;
    }
    int failures = transientFailures.merge(id, 1, Integer::sum);
    long seconds = Math.min(MAX_RETRY.toSeconds(), FIRST_RETRY.toSeconds() << Math.min(failures - 1, 10));
    return control.rescheduleAfter(Duration.ofSeconds(seconds));
  }
}
