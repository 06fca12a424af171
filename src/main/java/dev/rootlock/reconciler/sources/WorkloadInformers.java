package dev.rootlock.reconciler.sources;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.reconciler.observing.PassedTests;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One informer per kind the operator looks at ({@link WorkloadKinds#WATCHED}), each with the same
 * mapper, filter and trimmed store, and the namespace's workloads of every kind as one list.
 */
public final class WorkloadInformers {
  /** Status entries of one name are listed in the order of {@link WorkloadKinds#WATCHED}. */
  static final Comparator<Workload> ORDER = Comparator.comparing(Workload::name)
      .thenComparing(w -> WorkloadKinds.WATCHED.indexOf(w.kind()));

  private final Map<WorkloadKind<?>, KindCache<?>> caches;

  /** One kind's informer, typed. */
  private record KindCache<T extends HasMetadata>(WorkloadKind<T> kind, InformerEventSource<T, ReadOnlyPolicy> source) {
    public List<Workload> in(String namespace) {
      // By the informer's namespace index: list(namespace) walks every cached object of the kind,
      // every namespace's, and every reconcile asks (docs/benchmarks.md, "Measurements behind the
      // code"). get() prefers the version Rootlock just wrote over the
      // informer's not-yet-updated copy.
      return source.byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
          .map(o -> source.get(ResourceID.fromResource(o)).orElse(o))
          .map(o -> new Workload(kind, o))
          .toList();
    }

    public void written(Workload before, Workload after) {
      source.handleRecentResourceUpdate(ResourceID.fromResource(after.object()), kind.type().cast(after.object()),
          kind.type().cast(before.object()));
    }

    boolean holds(Workload w) {
      return source.get(ResourceID.fromResource(w.object())).isPresent();
    }
  }

  /** @param passes followed changes that passed: their status updates are no longer this operator's concern */
  public WorkloadInformers(EventSourceContext<ReadOnlyPolicy> context, WorkloadEventMapper mapper, PassedTests passes,
      boolean trim) {
    this.caches = WorkloadKinds.WATCHED.stream().collect(Collectors.toMap(Function.identity(),
        kind -> cache(kind, context, mapper, passes, trim), (a, b) -> a, java.util.LinkedHashMap::new));
    mapper.forgetWhenNotIn(this::holds);
  }

  private static <T extends HasMetadata> KindCache<T> cache(WorkloadKind<T> kind,
      EventSourceContext<ReadOnlyPolicy> context, WorkloadEventMapper mapper, PassedTests passes, boolean trim) {
    var config = InformerEventSourceConfiguration.from(kind.type(), ReadOnlyPolicy.class)
        .withName(kind.plural())
        .withSecondaryToPrimaryMapper(o -> mapper.toPrimaryResourceIDs(new Workload(kind, o)))
        // Status-only updates (replica counts during a rollout) cannot change any decision.
        .withOnUpdateFilter((now, before) -> WorkloadEventMapper.relevantChange(new Workload(kind, now),
            new Workload(kind, before), passes))
        // Thousands of workloads: cache them without what Rootlock never reads (the switch exists
        // only so the benchmark can measure what trimming saves).
        .withItemStore(trim ? new TrimmingStore<T>() : null)
        .build();
    return new KindCache<>(kind, new InformerEventSource<>(config, context));
  }

  public List<EventSource<?, ReadOnlyPolicy>> eventSources() {
    return caches.values().stream().<EventSource<?, ReadOnlyPolicy>>map(KindCache::source).toList();
  }

  /**
   * The namespace's workloads the operator looks at, of every kind, by name: not being deleted,
   * with a pod template, in scope (a running standalone Job, not one a CronJob started).
   */
  public List<Workload> in(String namespace) {
    return caches.values().stream()
        .flatMap(c -> c.in(namespace).stream())
        .filter(w -> w.object().getMetadata().getDeletionTimestamp() == null)
        .filter(w -> w.template() != null)
        .filter(w -> w.kind().isInScope(w.object()))
        .filter(w -> !(w.kind().yieldsToOwner() && w.controller().isPresent()))
        .sorted(ORDER)
        .toList();
  }

  /** Hands a workload Rootlock just wrote to its informer, so no reconcile reads the stale copy. */
  public void written(Workload before, Workload after) {
    caches.get(after.kind()).written(before, after);
  }

  boolean holds(Workload w) {
    return caches.get(w.kind()).holds(w);
  }
}
