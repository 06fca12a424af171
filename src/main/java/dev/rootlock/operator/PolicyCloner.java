package dev.rootlock.operator;

import dev.rootlock.api.ReadOnlyPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/**
 * The copy of a policy JOSDK hands each reconcile, instead of its default (serialise the cached
 * policy to JSON and read it back: with a status of 20 workloads, 8 % of the reconcile threads'
 * samples in a JFR profile of the cold-process benchmark, more for bigger policies).
 *
 * <p>JOSDK copies so that a reconcile cannot change the object its informer caches. What gets
 * changed on the copy is its metadata (JOSDK adds and removes the finalizer on it, and clears and
 * restores its resourceVersion) and the reference to its status (Rootlock sets the status it has
 * written); Rootlock never changes a spec or a status object in place (its status assembler builds
 * a new one). So the metadata is copied field by field (fabric8's builder copies its lists and
 * maps), and spec and status are shared with the cached policy. Any other resource type is copied
 * through JSON, as JOSDK's default does.
 */
final class PolicyCloner implements Cloner {
  private final KubernetesSerialization serialization;

  /** @param serialization the client's, which JOSDK's default cloner uses */
  PolicyCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R extends HasMetadata> R clone(R object) {
    if (!(object instanceof ReadOnlyPolicy policy) || object.getClass() != ReadOnlyPolicy.class) {
      return serialization.clone(object);
    }
    ReadOnlyPolicy copy = new ReadOnlyPolicy();
    copy.setApiVersion(policy.getApiVersion());
    copy.setKind(policy.getKind());
    copy.setMetadata(policy.getMetadata() == null ? null : new ObjectMetaBuilder(policy.getMetadata()).build());
    copy.setSpec(policy.getSpec());
    copy.setStatus(policy.getStatus());
    return (R) copy;
  }
}
