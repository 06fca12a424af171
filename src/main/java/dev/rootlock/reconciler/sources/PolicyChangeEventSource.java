package dev.rootlock.reconciler.sources;

import dev.rootlock.api.ReadOnlyPolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Re-queues the other policies of a namespace when one changes its spec, starts or finishes being
 * deleted: ownership and Conflict entries depend on every policy in the namespace, and a policy
 * that owned a workload without ever writing it sends no workload event when it goes away.
 */
public final class PolicyChangeEventSource {
  static final String NAME = "sibling-policies";

  private PolicyChangeEventSource() {}

  public static InformerEventSource<ReadOnlyPolicy, ReadOnlyPolicy> eventSource(
      EventSourceContext<ReadOnlyPolicy> context) {
    var cache = context.getPrimaryCache();
    var config = InformerEventSourceConfiguration.from(ReadOnlyPolicy.class, ReadOnlyPolicy.class)
        .withName(NAME)
        .withSecondaryToPrimaryMapper(changed -> cache.list(changed.getMetadata().getNamespace())
            .filter(p -> !p.getMetadata().getName().equals(changed.getMetadata().getName()))
            .filter(WorkloadEventMapper::started)
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        // Creation cannot change an older policy's outcome; status writes never matter here.
        .withOnAddFilter(p -> false)
        .withOnUpdateFilter((now, before) ->
            !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                || !Objects.equals(now.getMetadata().getDeletionTimestamp(),
                    before.getMetadata().getDeletionTimestamp()))
        .build();
    return new InformerEventSource<>(config, context);
  }
}
