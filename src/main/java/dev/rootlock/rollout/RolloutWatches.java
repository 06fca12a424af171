package dev.rootlock.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the ReplicaSets and Pods of the Deployments whose rollouts Rootlock follows, and only
 * those: one pair of informers per followed Deployment, selected by that Deployment's own label
 * selector, opened when following starts and closed when it ends. The caches hold a few objects per
 * rollout in progress instead of every pod in the cluster.
 *
 * @param <K> who follows (the policy), told about every change it sees
 */
public final class RolloutWatches<K> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutWatches.class);

  private final KubernetesClient client;
  private final Consumer<K> onChange;
  private final Map<String, Watch<K>> watches = new ConcurrentHashMap<>();

  /** What is known about one rollout's ReplicaSets and Pods; null lists while not yet synced. */
  public record Observed(List<ReplicaSet> replicaSets, List<Pod> pods) {}

  private record Watch<K>(K follower, String uid, SharedIndexInformer<ReplicaSet> replicaSets,
      SharedIndexInformer<Pod> pods) {
    void stop() {
      replicaSets.stop();
      pods.stop();
    }
  }

  public RolloutWatches(KubernetesClient client, Consumer<K> onChange) {
    this.client = client;
    this.onChange = onChange;
  }

  /** Starts watching {@code d} for {@code follower} unless it already is; never blocks. */
  public Observed observe(K follower, Deployment d) {
    String key = key(d);
    Watch<K> w = watches.compute(key, (k, existing) -> {
      if (existing != null && existing.uid().equals(d.getMetadata().getUid()) && existing.follower().equals(follower)) {
        return existing;
      }
      if (existing != null) {
        existing.stop();
      }
      return open(follower, d);
    });
    boolean synced = w.replicaSets().hasSynced() && w.pods().hasSynced();
    return synced ? new Observed(w.replicaSets().getStore().list(), w.pods().getStore().list())
        : new Observed(null, null);
  }

  /** Stops every watch of {@code follower} except those of {@code keep} (Deployment keys). */
  public void retain(K follower, Set<String> keep) {
    watches.entrySet().removeIf(e -> {
      if (!e.getValue().follower().equals(follower) || keep.contains(e.getKey())) {
        return false;
      }
      e.getValue().stop();
      return true;
    });
  }

  public static String key(Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }

  private Watch<K> open(K follower, Deployment d) {
    String ns = d.getMetadata().getNamespace();
    var selector = d.getSpec().getSelector();
    ResourceEventHandler<HasMetadata> nudge = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata obj) {
        onChange.accept(follower);
      }

      @Override
      public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
        onChange.accept(follower);
      }

      @Override
      public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
        onChange.accept(follower);
      }
    };
    SharedIndexInformer<ReplicaSet> rs = client.apps().replicaSets().inNamespace(ns).withLabelSelector(selector)
        .runnableInformer(0);
    SharedIndexInformer<Pod> pods = client.pods().inNamespace(ns).withLabelSelector(selector).runnableInformer(0);
    rs.addEventHandler(handler(nudge));
    pods.addEventHandler(handler(nudge));
    rs.start();
    pods.start();
    LOG.debug("following rollout of {}", key(d));
    return new Watch<>(follower, d.getMetadata().getUid(), rs, pods);
  }

  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> ResourceEventHandler<T> handler(ResourceEventHandler<HasMetadata> h) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
  }

  @Override
  public void close() {
    watches.values().forEach(Watch::stop);
    watches.clear();
  }
}
