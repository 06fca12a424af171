package dev.rootlock.reconciler.sources;

import dev.rootlock.api.ReadOnlyPolicy;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Collection;
import java.util.Set;

/**
 * Re-queues policies on Rootlock's own say-so. After Rootlock writes a workload, the informer
 * recognises the change as its own and sends no event; the writing policy needs none, but the
 * other policies that select the workload (an Audit preview, one reporting Conflict) must
 * re-evaluate it.
 */
public final class RequeueEventSource extends AbstractEventSource<Void, ReadOnlyPolicy> {
  static final String NAME = "policy-nudges";

  public RequeueEventSource() {
    super(Void.class, NAME);
  }

  @Override
  public Set<Void> getSecondaryResources(ReadOnlyPolicy primary) {
    return Set.of(); // carries no resources, only events
  }

  @Override
  public Status getStatus() {
    return Status.HEALTHY; // nothing to watch, nothing that can break
  }

  public void nudge(Collection<ResourceID> policies) {
    if (!isRunning()) {
      return;
    }
    policies.forEach(id -> getEventHandler().handleEvent(new Event(id)));
  }
}
