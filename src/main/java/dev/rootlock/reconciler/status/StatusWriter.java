package dev.rootlock.reconciler.status;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.Objects;

/**
 * Writes a policy's status when it differs from the stored one and its {@link StatusThrottle}
 * allows, as one JSON Patch that sets {@code /status} to the new value, and hands the stored
 * policy to JOSDK's cache of policies (as JOSDK's {@code PrimaryUpdateAndCacheUtils} do), so the
 * next reconcile reads it rather than the informer's older copy. The cache takes it only while its
 * own copy is still the one {@code policy} was read from, so nothing stale is kept. The patch names
 * no resourceVersion (only Rootlock writes the status), so it meets no conflict; a policy deleted
 * meanwhile answers 404, which fails the reconcile, and JOSDK drops the retry.
 *
 * <p>Why not {@code UpdateControl.patchStatus}: without server-side apply, JOSDK (through fabric8's
 * {@code editStatus}) copies the whole policy twice more and diffs the two as JSON trees to find
 * what changed, when the status is all Rootlock writes and it already knows its new value
 * (docs/benchmarks.md, "Cold process", has the cost). Setting {@code /status} whole is exact: fields
 * the new status no longer has go with the old value (a JSON merge patch would keep them).
 */
public final class StatusWriter {
  private final StatusThrottle throttle;

  public StatusWriter(StatusThrottle throttle) {
    this.throttle = throttle;
  }

  /**
   * What {@link #update} did.
   *
   * @param stored whether the stored status is now the new one: it already was, or it was written now
   * @param deferredFor when it was not written: how long until this mid-rollout progress may be (else zero)
   */
  public record Update(boolean stored, Duration deferredFor) {}

  /**
   * Writes {@code status} unless the stored one equals it or the throttle defers it.
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses
   *     it; JOSDK retries the reconcile
   */
  public Update update(Context<ReadOnlyPolicy> context, ReadOnlyPolicy policy, ReadOnlyPolicyStatus status) {
    if (Objects.equals(policy.getStatus(), status)) {
      return new Update(true, Duration.ZERO);
    }
    ResourceID id = ResourceID.fromResource(policy);
    Duration wait = throttle.delay(id, policy.getStatus(), status);
    if (!wait.isZero()) {
      return new Update(false, wait);
    }
    write(context, policy, status);
    throttle.written(id);
    return new Update(true, Duration.ZERO);
  }

  /** Forgets a deleted policy. */
  public void forget(ResourceID policy) {
    throttle.forget(policy);
  }

  private static void write(Context<ReadOnlyPolicy> context, ReadOnlyPolicy policy, ReadOnlyPolicyStatus status) {
    var client = context.getClient();
    String patch = "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
        + client.getKubernetesSerialization().asJson(status) + "}]";
    // Addressed by a bare name: fabric8 copies the object it is given, and only its name is needed.
    ReadOnlyPolicy target = new ReadOnlyPolicy();
    target.setMetadata(new ObjectMetaBuilder().withName(policy.getMetadata().getName())
        .withNamespace(policy.getMetadata().getNamespace()).build());
    ReadOnlyPolicy stored = client.resources(ReadOnlyPolicy.class).inNamespace(policy.getMetadata().getNamespace())
        .resource(target).subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
    context.eventSourceRetriever().getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(policy), stored, policy);
  }
}
