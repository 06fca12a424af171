package dev.rootlock.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events (events.k8s.io/v1) for what a person watching {@code kubectl get events}
 * wants to know: a workload hardened or reverted, a policy's Ready/Degraded condition changing.
 * Reasons are the same words as in the policy status. Events are written by one background
 * thread: they are information, so they never slow a reconcile down or fail it. Like client-go's
 * event broadcaster, the writer is rate-limited (a burst of 100, then 50 per second) so that
 * hardening thousands of Deployments at once does not also send thousands of Event writes to the
 * API server at once; a full queue drops the newest, with a warning at most every 10 s.
 */
public class EventRecorder implements AutoCloseable {
  private static final int QUEUE = 20_000;
  static final int BURST = 100;
  static final int PER_SECOND = 50;
  public static final String CONTROLLER = "rootlock.dev/operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX")
      .withZone(java.time.ZoneOffset.UTC);

  private final KubernetesClient client;
  private final String instance;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();
  private double tokens = BURST;
  private long refilledAt = System.nanoTime();
  private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(QUEUE), r -> {
        Thread t = new Thread(r, "rootlock-events");
        t.setDaemon(true);
        return t;
      }, (r, pool) -> {
        if (!pool.isShutdown()) { // after close() events are dropped on purpose
          dropped();
        }
      });
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong droppedWarnedAt = new AtomicLong();

  /**
   * Counts an Event the full queue refused, with a warning at most every 10 s: a burst that fills
   * the queue would otherwise log one line per Event.
   */
  private void dropped() {
    long total = dropped.incrementAndGet();
    long now = System.nanoTime();
    long last = droppedWarnedAt.get();
    if ((total == 1 || now - last >= TimeUnit.SECONDS.toNanos(10)) && droppedWarnedAt.compareAndSet(last, now)) {
      LOG.warn("event queue full ({} waiting): {} Events dropped since start; Events are information only, "
          + "statuses and metrics are complete", QUEUE, total);
    }
  }

  public EventRecorder(KubernetesClient client, String instance, Clock clock) {
    this.client = client;
    this.instance = instance;
    this.clock = clock;
  }

  /**
   * Writes what is queued (for up to 5 s), then stops; what the rate limit still holds back then
   * is dropped (and logged), so no write outlives the client that the caller closes next.
   */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        int dropped = writer.shutdownNow().size();
        LOG.warn("stopping: {} queued events not recorded", dropped);
        writer.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      writer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Records nothing: for tools that run the engine without a cluster. */
  public static EventRecorder none() {
    return new EventRecorder(null, "none", Clock.systemUTC()) {
      @Override
      public void record(HasMetadata regarding, String action, String reason, String note, boolean warning) {}
    };
  }

  public void normal(HasMetadata regarding, String action, String reason, String note) {
    record(regarding, action, reason, note, false);
  }

  public void warning(HasMetadata regarding, String action, String reason, String note) {
    record(regarding, action, reason, note, true);
  }

  public void record(HasMetadata regarding, String action, String reason, String note, boolean warning) {
    Instant now = Instant.now(clock);
    String name = regarding.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli())
        + Long.toHexString(sequence.incrementAndGet());
    Event event = new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(regarding.getMetadata().getNamespace()).endMetadata()
        .withEventTime(new MicroTime(MICROS.format(now.truncatedTo(ChronoUnit.MICROS))))
        .withReportingController(CONTROLLER)
        .withReportingInstance(instance)
        .withAction(action)
        .withReason(reason)
        .withNote(note.length() > 1024 ? note.substring(0, 1021) + "..." : note)
        .withType(warning ? "Warning" : "Normal")
        .withRegarding(reference(regarding))
        .build();
    if (!writer.isShutdown()) {
      writer.execute(() -> write(event, regarding, reason));
    }
  }

  /** Token bucket, used by the single writer thread only. */
  private void awaitToken() throws InterruptedException {
    long now = System.nanoTime();
    tokens = Math.min(BURST, tokens + (now - refilledAt) / 1e9 * PER_SECOND);
    refilledAt = now;
    if (tokens < 1) {
      Thread.sleep((long) Math.ceil((1 - tokens) * 1000.0 / PER_SECOND));
      tokens = 1;
      refilledAt = System.nanoTime();
    }
    tokens -= 1;
  }

  private void write(Event event, HasMetadata regarding, String reason) {
    try {
      awaitToken();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      client.resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn("event not recorded namespace={} object={} reason={} code={} message=\"{}\"",
          regarding.getMetadata().getNamespace(), regarding.getMetadata().getName(), reason, e.getCode(),
          e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
    } catch (RuntimeException e) {
      // an Event is best effort: nothing may kill the writer thread (the client closing under it)
      LOG.warn("event not recorded namespace={} object={} reason={}: {}", regarding.getMetadata().getNamespace(),
          regarding.getMetadata().getName(), reason, e.toString());
    }
  }

  private static ObjectReference reference(HasMetadata o) {
    return new ObjectReferenceBuilder()
        .withApiVersion(o.getApiVersion()).withKind(o.getKind())
        .withNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
        .withUid(o.getMetadata().getUid()).withResourceVersion(o.getMetadata().getResourceVersion())
        .build();
  }
}
