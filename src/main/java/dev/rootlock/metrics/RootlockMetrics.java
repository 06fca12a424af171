package dev.rootlock.metrics;

import dev.rootlock.api.Mode;
import dev.rootlock.api.WorkloadState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rootlock's own metrics; the names are a contract (docs/metrics.md). Label values are only
 * namespace and policy names plus fixed words, never anything else a user typed. Every series of
 * a policy is removed when the policy is deleted, so dashboards never show a ghost.
 */
public final class RootlockMetrics {
  public static final String WORKLOADS = "rootlock.policy.workloads";
  public static final String READY = "rootlock.policy.ready";
  public static final String INFO = "rootlock.policy.info";
  public static final String PATCHES = "rootlock.workload.patches";
  public static final String RECONCILE = "rootlock.reconcile.duration";
  public static final String ROLLBACKS = "rootlock.rollbacks";
  public static final String WARNINGS = "rootlock.policy.warnings";
  public static final String DRIFT_FIGHTS = "rootlock.drift.fights";
  public static final String API_REQUEST = "rootlock.api.request.duration";
  /** The histogram buckets of every latency Rootlock reports: 5 ms to 10 s (never handed out: not changed). */
  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  /** What a workload write was for. */
  public enum PatchAction {
    harden,
    revert,
    /** Undoing a hardening whose rollout failed. */
    rollback
  }

  /** How a workload write ended. */
  public enum PatchResult {
    success,
    conflict,
    error
  }

  private final MeterRegistry registry;
  private final Timer reconcile;
  private final Map<PolicyKey, PolicyGauges> policies = new ConcurrentHashMap<>();

  private record PolicyKey(String namespace, String policy) {
    Tags tags() {
      return Tags.of("namespace", namespace, "policy", policy);
    }
  }

  /** The live values behind one policy's gauges. */
  private static final class PolicyGauges {
    final Map<WorkloadState, AtomicInteger> workloads = new EnumMap<>(WorkloadState.class);
    final AtomicInteger ready = new AtomicInteger();
    final AtomicInteger warnings = new AtomicInteger();
    volatile Mode mode;
    volatile Meter info;
  }

  public RootlockMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconcile = Timer.builder(RECONCILE)
        .description("Time to reconcile one ReadOnlyPolicy, from reading the caches to the status write")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  /** Metrics that go nowhere, for code paths (and tests) that do not care. */
  public static RootlockMetrics discarding() {
    return new RootlockMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * The outcome of a reconcile: exact counts per state, readiness, mode, and how many workloads
   * carry a memory warning.
   */
  public void observed(String namespace, String policy, Mode mode, Map<WorkloadState, Integer> counts, boolean ready,
      int warnings) {
    PolicyKey key = new PolicyKey(namespace, policy);
    PolicyGauges g = policies.computeIfAbsent(key, this::register);
    for (WorkloadState s : WorkloadState.values()) {
      g.workloads.get(s).set(counts.getOrDefault(s, 0));
    }
    g.ready.set(ready ? 1 : 0);
    g.warnings.set(warnings);
    setMode(key, g, mode);
  }

  /** The spec became invalid: counts describe the cluster as it was left; not ready. */
  public void invalid(String namespace, String policy, Mode mode) {
    PolicyKey key = new PolicyKey(namespace, policy);
    PolicyGauges g = policies.computeIfAbsent(key, this::register);
    g.ready.set(0);
    setMode(key, g, mode == null ? Mode.Enforce : mode);
  }

  private synchronized void setMode(PolicyKey key, PolicyGauges g, Mode mode) {
    if (mode == g.mode) {
      return;
    }
    if (g.info != null) {
      registry.remove(g.info);
    }
    g.mode = mode;
    g.info = Gauge.builder(INFO, () -> 1.0)
        .description("1 for every ReadOnlyPolicy, labelled with its mode")
        .tags(key.tags().and("mode", mode.name())).register(registry);
  }

  private PolicyGauges register(PolicyKey key) {
    PolicyGauges g = new PolicyGauges();
    for (WorkloadState s : WorkloadState.values()) {
      AtomicInteger value = new AtomicInteger();
      g.workloads.put(s, value);
      Gauge.builder(WORKLOADS, value, AtomicInteger::get)
          .description("Workloads a ReadOnlyPolicy selects (every kind together), by state")
          .tags(key.tags().and("state", s.name())).register(registry);
    }
    Gauge.builder(READY, g.ready, AtomicInteger::get)
        .description("1 when the policy's Ready condition is True").tags(key.tags()).register(registry);
    Gauge.builder(WARNINGS, g.warnings, AtomicInteger::get)
        .description("Selected workloads whose memory-backed emptyDirs may use too much of a container's memory")
        .tags(key.tags()).register(registry);
    return g;
  }

  /** One write to a workload. */
  public void patch(String namespace, String policy, PatchAction action, PatchResult result) {
    Counter.builder(PATCHES)
        .description("Writes to workloads, by what they were for and how they ended")
        .tags(new PolicyKey(namespace, policy).tags().and("action", action.name(), "result", result.name()))
        .register(registry).increment();
  }

  /** A failed hardening rollout was rolled back. */
  public void rolledBack(String namespace, String policy) {
    Counter.builder(ROLLBACKS)
        .description("Hardening rollouts that failed and were rolled back")
        .tags(new PolicyKey(namespace, policy).tags())
        .register(registry).increment();
  }

  /** Rootlock stopped correcting a workload someone kept reverting. */
  public void driftFight(String namespace, String policy) {
    Counter.builder(DRIFT_FIGHTS)
        .description("Workloads Rootlock stopped correcting because another writer kept reverting their hardening")
        .tags(new PolicyKey(namespace, policy).tags())
        .register(registry).increment();
  }

  /**
   * One API request of the operator's client, timed on its side.
   *
   * @param method the HTTP method
   * @param resource the resource and subresource it addressed ({@code readonlypolicies/status}), never a name
   * @param nanos from handing it to the HTTP client to its response headers
   */
  public void apiRequest(String method, String resource, long nanos) {
    Timer.builder(API_REQUEST)
        .description("Time from handing an API request to the HTTP client to its response headers, by HTTP method "
            + "and resource")
        .tags("method", method, "resource", resource)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  public Timer.Sample startReconcile() {
    return Timer.start(registry);
  }

  public void stopReconcile(Timer.Sample sample) {
    sample.stop(reconcile);
  }

  /** Removes every series of a deleted policy. */
  public synchronized void deleted(String namespace, String policy) {
    policies.remove(new PolicyKey(namespace, policy));
    for (String name : new String[] {WORKLOADS, READY, INFO, PATCHES, ROLLBACKS, WARNINGS, DRIFT_FIGHTS}) {
      registry.find(name).tags("namespace", namespace, "policy", policy).meters().forEach(registry::remove);
    }
  }
}
