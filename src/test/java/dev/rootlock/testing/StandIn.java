package dev.rootlock.testing;

import dev.rootlock.engine.JsonPatches;
import dev.rootlock.testing.ClusterControllers.App;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * One stand-in controller: watches its kind (a plain watch, not an informer: no cache of every
 * object, which at 20,000 would double the heap a benchmark measures) and acts when an object's
 * generation moves past what it has observed. Without an app it reports the rollout complete with
 * one status write; with one it plays the whole rollout through {@link #rollOut}.
 */
abstract class StandIn<T extends HasMetadata> {
  protected final ClusterControllers cluster;
  protected final Class<T> type;

  StandIn(ClusterControllers cluster, Class<T> type) {
    this.cluster = cluster;
    this.type = type;
  }

  Watch watch() {
    return cluster.client().resources(type).inAnyNamespace().watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, T o) {
        if (action == Action.DELETED) {
          cluster.forget(key(o));
          return;
        }
        if (action == Action.ADDED || action == Action.MODIFIED) {
          changed(o);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // the client reconnects by itself; nothing to clean up
      }
    });
  }

  /** status.observedGeneration, or null when the controller has written no status yet. */
  abstract Long observedGeneration(T o);

  /** Whether the controller has acted on the object's current generation. */
  boolean isObserved(T o) {
    Long observed = observedGeneration(o);
    return observed != null && observed >= generation(o);
  }

  /** The status of a rollout that completed at once (no app): written in one request. */
  abstract Object completeStatus(T o);

  /** The whole rollout for an app: pods, their statuses, the progress the controller reports. */
  abstract void rollOut(T fresh, App app);

  void changed(T o) {
    boolean observed = isObserved(o);
    cluster.observed(key(o), observed);
    if (observed) {
      return;
    }
    long generation = generation(o);
    App app = cluster.app(o.getMetadata().getName());
    if (app == null) {
      // Rolled out at once: one status write (a newer generation brings its own event).
      cluster.plain(() -> {
        patchStatus(o, completeStatus(o));
        cluster.completedOne();
      });
      return;
    }
    cluster.work(() -> {
      T fresh = get(o);
      if (fresh != null && generation(fresh) == generation) {
        rollOut(fresh, app);
      }
    });
  }

  void patchStatus(T o, Object status) {
    cluster.client().resources(type).inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.JSON),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + JsonPatches.SERIALIZATION.asJson(status) + "}]");
  }

  T get(T o) {
    return cluster.client().resources(type).inNamespace(o.getMetadata().getNamespace())
        .withName(o.getMetadata().getName()).get();
  }

  /** Whether the object is still at {@code generation} (no newer change superseded this rollout). */
  boolean current(T o, long generation) {
    T now = get(o);
    return now != null && generation(now) == generation;
  }

  static long generation(HasMetadata o) {
    return o.getMetadata().getGeneration() == null ? 0 : o.getMetadata().getGeneration();
  }

  String key(T o) {
    return type.getSimpleName() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
