package dev.rootlock.reconciler.sources;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;

/**
 * A workload informer's store, minus what Rootlock never reads: managedFields and the kubectl
 * last-applied-configuration annotation, often the largest parts of a cached workload.
 *
 * <p>The annotation's key is kept with an empty value rather than removed: patches are diffs of
 * the cached object, and a workload whose only annotation vanished from the cache would make the
 * first Rootlock annotation an "add the whole annotations map" op, erasing it on the server.
 */
public final class TrimmingStore<T extends HasMetadata> extends BasicItemStore<T> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  TrimmingStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T o) {
    trim(o);
    return super.put(key, o);
  }

  static void trim(HasMetadata o) {
    if (o.getMetadata() == null) {
      return;
    }
    o.getMetadata().setManagedFields(null);
    Map<String, String> annotations = o.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      annotations.put(LAST_APPLIED, "");
    }
  }
}
