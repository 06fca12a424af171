package dev.rootlock.reconciler;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;

/**
 * The Deployment informer's store, minus what Rootlock never reads: managedFields and the
 * kubectl last-applied-configuration annotation, often the largest parts of a cached Deployment.
 *
 * <p>The annotation's key is kept with an empty value rather than removed: patches are diffs of
 * the cached object, and a Deployment whose only annotation vanished from the cache would make the
 * first Rootlock annotation an "add the whole annotations map" op, erasing it on the server.
 */
final class TrimmingDeploymentStore extends BasicItemStore<Deployment> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  TrimmingDeploymentStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Deployment put(String key, Deployment d) {
    trim(d);
    return super.put(key, d);
  }

  static void trim(Deployment d) {
    if (d.getMetadata() == null) {
      return;
    }
    d.getMetadata().setManagedFields(null);
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      annotations.put(LAST_APPLIED, "");
    }
  }
}
