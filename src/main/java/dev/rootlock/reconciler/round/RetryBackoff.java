package dev.rootlock.reconciler.round;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When to try a policy again after transient failures (5xx, 429, connection errors, repeated
 * write conflicts): 5 s, doubling to at most 5 minutes, counted per policy until it makes progress.
 */
public final class RetryBackoff {
  private static final Duration FIRST = Duration.ofSeconds(5);
  private static final Duration MAX = Duration.ofMinutes(5);

  private final Map<ResourceID, Integer> failures = new ConcurrentHashMap<>();

  /** Counts one more failed reconcile of {@code policy}; returns how long to wait before the next. */
  public Duration failed(ResourceID policy) {
    return delay(failures.merge(policy, 1, Integer::sum));
  }

  /** {@code policy} made progress or has nothing left to retry: the next failure starts over at 5 s. */
  public void reset(ResourceID policy) {
    failures.remove(policy);
  }

  /** 5 s, 10 s, 20 s, ... capped at 5 minutes, for the {@code n}th failure in a row. */
  static Duration delay(int n) {
    long seconds = FIRST.toSeconds() << Math.min(Math.max(n - 1, 0), 10);
    return Duration.ofSeconds(Math.min(MAX.toSeconds(), seconds));
  }
}
