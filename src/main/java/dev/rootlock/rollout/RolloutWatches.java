package dev.rootlock.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the changes Rootlock follows create, asked for only when a reader needs it, in one of two
 * ways. {@link #looked}: one LIST per question, for rolling updates, whose readers judge from the
 * workload's own status and ask for pods only when it stands still (a LIST and a WATCH per followed
 * workload cost the API server four times what the change itself did). Its answer is kept for the
 * quiet period, so that a burst of status events lists once, and twice as long each time a LIST
 * finds nothing changed (up to {@link #MAX_KEEP_FACTOR} quiet periods), so that a rollout stuck for
 * minutes (a pod Pending for lack of room) is not listed every quiet period until its timeout. {@link #related}: an informer per
 * type and selector, opened on the first question and closed when following ends; for a CronJob,
 * whose next Job and its pods nothing else reports.
 *
 * @param <K> who follows (the policy), told about every change it sees
 */
public final class RolloutWatches<K> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutWatches.class);

  private final KubernetesClient client;
  private final Consumer<K> onChange;
  /** Per followed workload (its key): who follows it, and its informers by type and selector. */
  private final Map<String, Followed<K>> followed = new ConcurrentHashMap<>();

  private record Followed<K>(K follower, Map<String, SharedIndexInformer<? extends HasMetadata>> informers) {
    void stop() {
      informers.values().forEach(SharedIndexInformer::stop);
    }
  }

  /** Per followed workload (its key): the answers of its last LISTs by type and selector. */
  private final Map<String, Looks<K>> looks = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration quiet;

  private record Looks<K>(K follower, Map<String, Look> byQuestion) {}

  /** A LIST's answer, kept until {@code at + keep}. */
  private record Look(Instant at, Duration keep, List<? extends HasMetadata> items) {
    boolean fresh(Instant now) {
      return now.isBefore(at.plus(keep));
    }

    /** How long to keep the next answer: doubled while nothing changes, one quiet period once something does. */
    Duration nextKeep(List<? extends HasMetadata> next, Duration quiet) {
      if (!versions(next).equals(versions(items))) {
        return quiet;
      }
      Duration doubled = keep.multipliedBy(2);
      Duration max = quiet.multipliedBy(MAX_KEEP_FACTOR);
      return doubled.compareTo(max) > 0 ? max : doubled;
    }

    /** resourceVersion by uid: equal when the same objects are there, none of them changed. */
    private static Map<String, String> versions(List<? extends HasMetadata> items) {
      Map<String, String> v = new HashMap<>();
      items.forEach(o -> v.put(o.getMetadata().getUid(), o.getMetadata().getResourceVersion()));
      return v;
    }
  }

  /**
   * At most this many quiet periods between two LISTs of an unchanged answer: 80 s at the default
   * 10 s, so a pod that crashes late in a long stall is seen within 80 s (a rollout times out after
   * 10 minutes by default), and a stuck rollout costs ~10 LISTs over those 10 minutes, not 60.
   */
  static final int MAX_KEEP_FACTOR = 8;

  /**
   * @param onChange told which follower to nudge when a watched object changes
   * @param quiet how long a rollout's status may stand still before its pods are worth a LIST, and
   *     how long a LIST's answer is kept ({@link Related#quiet})
   */
  public RolloutWatches(KubernetesClient client, Consumer<K> onChange, Clock clock, Duration quiet) {
    this.client = client;
    this.onChange = onChange;
    this.clock = clock;
    this.quiet = quiet;
  }

  /**
   * What {@code follower} may ask about the workload {@code key} in {@code namespace}, answered by
   * a LIST (blocking, at most one per type and selector per quiet period, fewer while the answer
   * does not change); null when the LIST failed, so the reader judges without it and the next look
   * lists again.
   */
  public Related looked(K follower, String key, String namespace) {
    return new Related() {
      @Override
      public Duration quiet() {
        return quiet;
      }

      @Override
      @SuppressWarnings("unchecked")
      public <T extends HasMetadata> List<T> list(Class<T> type, LabelSelector selector) {
        Looks<K> mine = looks.compute(key, (k, existing) -> existing != null && existing.follower().equals(follower)
            ? existing : new Looks<>(follower, new ConcurrentHashMap<>()));
        String id = type.getSimpleName() + " " + describe(selector);
        Instant now = clock.instant();
        Look last = mine.byQuestion().get(id);
        if (last != null && last.fresh(now)) {
          return (List<T>) last.items();
        }
        try {
          var resources = client.resources(type).inNamespace(namespace);
          List<T> items = (selector == null ? resources : resources.withLabelSelector(selector)).list().getItems();
          mine.byQuestion().put(id, new Look(now, last == null ? quiet : last.nextKeep(items, quiet), items));
          LOG.debug("listed {} {} in {} ({})", items.size(), type.getSimpleName(), namespace, describe(selector));
          return items;
        } catch (KubernetesClientException e) {
          LOG.warn("could not list {} in {} for {}: {}", type.getSimpleName(), namespace, key, e.getMessage());
          return null;
        }
      }
    };
  }

  /**
   * What {@code follower} may ask about the workload {@code key} in {@code namespace}; asking never
   * blocks, and answers null until the watch has synced.
   */
  public Related related(K follower, String key, String namespace) {
    return new Related() {
      @Override
      public <T extends HasMetadata> List<T> list(Class<T> type, LabelSelector selector) {
        SharedIndexInformer<T> informer = informer(follower, key, namespace, type, selector);
        return informer.hasSynced() ? informer.getStore().list() : null;
      }
    };
  }

  /** Stops every watch of {@code follower} except those of the workloads in {@code keep}. */
  public void retain(K follower, Set<String> keep) {
    looks.entrySet().removeIf(e -> e.getValue().follower().equals(follower) && !keep.contains(e.getKey()));
    followed.entrySet().removeIf(e -> {
      if (!e.getValue().follower().equals(follower) || keep.contains(e.getKey())) {
        return false;
      }
      e.getValue().stop();
      LOG.debug("stopped following {}", e.getKey());
      return true;
    });
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> SharedIndexInformer<T> informer(K follower, String key, String namespace,
      Class<T> type, LabelSelector selector) {
    Followed<K> f = followed.compute(key, (k, existing) -> {
      if (existing != null && existing.follower().equals(follower)) {
        return existing;
      }
      if (existing != null) {
        existing.stop(); // another policy owns the workload now
      }
      return new Followed<>(follower, new ConcurrentHashMap<>());
    });
    String id = type.getSimpleName() + " " + describe(selector);
    return (SharedIndexInformer<T>) f.informers().computeIfAbsent(id, x -> open(follower, namespace, type, selector));
  }

  private <T extends HasMetadata> SharedIndexInformer<T> open(K follower, String namespace, Class<T> type,
      LabelSelector selector) {
    var resources = client.resources(type).inNamespace(namespace);
    SharedIndexInformer<T> informer = selector == null ? resources.runnableInformer(0)
        : resources.withLabelSelector(selector).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.accept(follower);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.accept(follower);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onChange.accept(follower);
      }
    });
    // Events of the first list may come before the informer counts as synced, when a look still
    // answers "not known yet": one more nudge once it has synced, so nothing waits for a resync.
    informer.start().thenRun(() -> onChange.accept(follower));
    LOG.debug("watching {} in {} ({})", type.getSimpleName(), namespace, describe(selector));
    return informer;
  }

  /** A stable text for a selector, so one question always meets the same informer. */
  private static String describe(LabelSelector selector) {
    if (selector == null) {
      return "all";
    }
    return new TreeMap<>(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels()) + " "
        + (selector.getMatchExpressions() == null ? "[]" : selector.getMatchExpressions().toString());
  }

  @Override
  public void close() {
    followed.values().forEach(Followed::stop);
    followed.clear();
    looks.clear();
  }
}
