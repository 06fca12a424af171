package dev.rootlock.reconciler;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which policies a Deployment event concerns: every policy in its namespace whose selector matches
 * it, plus the one recorded as its owner (which must hear about a Deployment that stopped matching,
 * to undo its hardening). Policies own nothing, so ownerReferences cannot be used.
 */
final class DeploymentToPolicies implements SecondaryToPrimaryMapper<Deployment> {
  private final IndexerResourceCache<ReadOnlyPolicy> policies;

  DeploymentToPolicies(IndexerResourceCache<ReadOnlyPolicy> policies) {
    this.policies = policies;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Deployment d) {
    String namespace = d.getMetadata().getNamespace();
    String owner = Ownership.recordedOwner(d);
    return policies.list(namespace)
        .filter(p -> p.getMetadata().getName().equals(owner) || selects(p, d))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static boolean selects(ReadOnlyPolicy p, Deployment d) {
    var selector = p.getSpec() == null ? null : p.getSpec().getSelector();
    try {
      return LabelSelectors.matches(selector, d.getMetadata().getLabels());
    } catch (RuntimeException malformedSelector) {
      return true; // an invalid policy reports InvalidSpec whatever happens; let it re-check
    }
  }

  /** Only changes that can alter a decision: the spec (generation), labels or annotations. */
  static boolean relevantChange(Deployment now, Deployment before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations());
  }
}
