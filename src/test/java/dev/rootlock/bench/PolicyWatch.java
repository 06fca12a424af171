package dev.rootlock.bench;

import dev.rootlock.api.ReadOnlyPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches every policy's status and notes when their compliant counts first add up to the expected
 * total: convergence, seen the moment the last status write lands, without polling the server
 * (a list of every policy each few milliseconds would take CPU from the process being measured).
 */
final class PolicyWatch implements AutoCloseable {
  private final SharedIndexInformer<ReadOnlyPolicy> informer;
  private final int expectedCompliant;
  private final CountDownLatch converged = new CountDownLatch(1);
  private volatile long convergedNanos;

  PolicyWatch(KubernetesClient client, int expectedCompliant) {
    this(client, expectedCompliant, Map.of());
  }

  /** Only the policies with these labels (none: every policy). */
  PolicyWatch(KubernetesClient client, int expectedCompliant, Map<String, String> labels) {
    this.expectedCompliant = expectedCompliant;
    this.informer = client.resources(ReadOnlyPolicy.class).inAnyNamespace().withLabels(labels)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ReadOnlyPolicy p) {
            check();
          }

          @Override
          public void onUpdate(ReadOnlyPolicy before, ReadOnlyPolicy now) {
            check();
          }

          @Override
          public void onDelete(ReadOnlyPolicy p, boolean unknown) {
            // policies are not deleted during a benchmark
          }
        });
  }

  private void check() {
    if (convergedNanos != 0 || informer == null) {
      return;
    }
    int compliant = 0;
    for (ReadOnlyPolicy p : informer.getStore().list()) {
      if (p.getStatus() == null || p.getStatus().getCompliant() == null) {
        return;
      }
      compliant += p.getStatus().getCompliant();
    }
    if (compliant == expectedCompliant) {
      convergedNanos = System.nanoTime();
      converged.countDown();
    }
  }

  /** System.nanoTime() at convergence, 0 until then. */
  long convergedNanos() {
    return convergedNanos;
  }

  /** System.nanoTime() at convergence. */
  long await(Duration atMost) throws InterruptedException {
    if (!converged.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("not converged within " + atMost);
    }
    return convergedNanos;
  }

  @Override
  public void close() {
    informer.close();
  }
}
