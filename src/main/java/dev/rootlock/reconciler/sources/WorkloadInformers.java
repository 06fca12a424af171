package dev.rootlock.reconciler.sources;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.reconciler.observing.PassedTests;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

  /**
   * One kind's informers, typed: one for all the watched namespaces ({@link #ALL}) when that is
   * every namespace or just one, else one per watched namespace ({@code --namespaces a,b}), each
   * with a store of its own. Never one event source over a list of namespaces: JOSDK runs it as
   * one fabric8 informer per namespace, all given the configuration's single item store, and each
   * informer's (re)list drops from its store every key its own LIST did not return, the other
   * namespaces' workloads included (they looked deleted, and a policy found nothing to select
   * until the resync; docs/testing.md).
   */
  private record KindCache<T extends HasMetadata>(WorkloadKind<T> kind,
      Map<String, InformerEventSource<T, ReadOnlyPolicy>> byNamespace) {
    /** The informer holding the namespace's objects, if the operator watches that namespace. */
    private Optional<InformerEventSource<T, ReadOnlyPolicy>> source(String namespace) {
      return Optional.ofNullable(byNamespace.getOrDefault(namespace, byNamespace.get(ALL)));
    }

    public List<Workload> in(String namespace) {
      // By the informer's namespace index: list(namespace) walks every cached object of the kind,
      // every namespace's, and every reconcile asks (docs/benchmarks.md, "Measurements behind the
      // code"). get() prefers the version Rootlock just wrote over the
      // informer's not-yet-updated copy.
      return source(namespace).stream().flatMap(source -> source.byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
          .map(o -> source.get(ResourceID.fromResource(o)).orElse(o)))
          .map(o -> new Workload(kind, o))
          .toList();
    }

    public void written(Workload before, Workload after) {
      source(after.namespace()).ifPresent(source -> source.handleRecentResourceUpdate(
          ResourceID.fromResource(after.object()), kind.type().cast(after.object()), kind.type().cast(before.object())));
    }

    boolean holds(Workload w) {
      return source(w.namespace()).flatMap(source -> source.get(ResourceID.fromResource(w.object()))).isPresent();
    }
  }

  /** The key of the one informer that watches every namespace the operator watches. */
  private static final String ALL = "";

  /** @param passes followed changes that passed: their status updates are no longer this operator's concern */
  public WorkloadInformers(EventSourceContext<ReadOnlyPolicy> context, WorkloadEventMapper mapper, PassedTests passes,
      boolean trim) {
    Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
    this.caches = WorkloadKinds.WATCHED.stream().collect(Collectors.toMap(Function.identity(),
        kind -> cache(kind, namespaces, context, mapper, passes, trim), (a, b) -> a, java.util.LinkedHashMap::new));
    mapper.forgetWhenNotIn(this::holds);
  }

  private static <T extends HasMetadata> KindCache<T> cache(WorkloadKind<T> kind, Set<String> namespaces,
      EventSourceContext<ReadOnlyPolicy> context, WorkloadEventMapper mapper, PassedTests passes, boolean trim) {
    // A store per fabric8 informer (see KindCache).
    if (InformerConfiguration.allNamespacesWatched(namespaces) || namespaces.size() == 1) {
      return new KindCache<>(kind, Map.of(ALL, source(kind, kind.plural(), null, context, mapper, passes, trim)));
    }
    Map<String, InformerEventSource<T, ReadOnlyPolicy>> byNamespace = new java.util.TreeMap<>();
    namespaces.forEach(ns -> byNamespace.put(ns, source(kind, kind.plural() + "@" + ns, ns, context, mapper, passes, trim)));
    return new KindCache<>(kind, byNamespace);
  }

  /** @param namespace the one namespace to watch, or null for the controller's namespaces */
  private static <T extends HasMetadata> InformerEventSource<T, ReadOnlyPolicy> source(WorkloadKind<T> kind,
      String name, String namespace, EventSourceContext<ReadOnlyPolicy> context, WorkloadEventMapper mapper,
      PassedTests passes, boolean trim) {
    var builder = InformerEventSourceConfiguration.from(kind.type(), ReadOnlyPolicy.class)
        .withName(name)
        .withSecondaryToPrimaryMapper(o -> mapper.toPrimaryResourceIDs(new Workload(kind, o)))
        // Status-only updates (replica counts during a rollout) cannot change any decision.
        .withOnUpdateFilter((now, before) -> WorkloadEventMapper.relevantChange(new Workload(kind, now),
            new Workload(kind, before), passes))
        // Thousands of workloads: cache them without what Rootlock never reads (the switch exists
        // only so the benchmark can measure what trimming saves).
        .withItemStore(trim ? new TrimmingStore<T>() : null);
    if (namespace != null) {
      builder.withNamespaces(Set.of(namespace)).withFollowControllerNamespacesChanges(false);
    }
    return new InformerEventSource<>(builder.build(), context);
  }

  public List<EventSource<?, ReadOnlyPolicy>> eventSources() {
    return caches.values().stream().flatMap(c -> c.byNamespace().values().stream())
        .<EventSource<?, ReadOnlyPolicy>>map(s -> s).toList();
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
