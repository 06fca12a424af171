package dev.rootlock.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.time.Duration;
import java.util.List;

/**
 * The objects a rollout creates (ReplicaSets, Pods, Jobs), in the followed workload's namespace, as
 * far as they are known. Asking for a type and selector starts watching them (only while the
 * workload is followed), so a reader asks only once it needs them.
 */
@FunctionalInterface
public interface Related {
  /**
   * @param selector which ones, or null for every object of the type in the namespace
   * @return what is known, or null while the watch has not synced yet
   */
  <T extends HasMetadata> List<T> list(Class<T> type, LabelSelector selector);

  /**
   * How long a rollout's own status should stand still before a reader asks (asking costs the API
   * server a LIST); zero when asking is free (a watch's cache, fixed objects).
   */
  default Duration quiet() {
    return Duration.ZERO;
  }

  /** Nothing is known yet (every watch still syncing). */
  Related UNKNOWN = new Related() {
    @Override
    public <T extends HasMetadata> List<T> list(Class<T> type, LabelSelector selector) {
      return null;
    }
  };

  /** Fixed objects, whatever the selector (for tests and tools). */
  static Related of(List<? extends HasMetadata> objects) {
    return new Related() {
      @Override
      public <T extends HasMetadata> List<T> list(Class<T> type, LabelSelector selector) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
      }
    };
  }
}
