package dev.rootlock.bench;

import dev.rootlock.testing.MockApiServer.Exchange;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What one client's run cost the mock API server and the stand-in controllers: its requests by
 * verb, the server's time handling them (the server has one thread for everything, so time spent
 * on one client's requests is time the others wait), the server's time on the stand-in
 * controllers' status writes meanwhile, the benchmark JVM's CPU by thread group, and how long the
 * stand-in controllers' rollouts queued for a worker and took to write.
 *
 * @param standInTimes mean milliseconds a rollout queued for one of the five workers, and writing
 * @param slotReuse how soon the client used a rollout slot that freed ({@link SlotReuse})
 */
public record ServerLoad(Map<String, Long> requestsByVerb, Map<String, Double> handlingSecondsByVerb,
    double standInHandlingSeconds, Map<String, Double> benchmarkCpu, double[] standInTimes, String slotReuse) {

  static ServerLoad of(List<Exchange> requests, Collection<Exchange> standIn, long fromNanos, long untilNanos,
      Map<String, Double> benchmarkCpu, double[] standInTimes, String slotReuse) {
    Map<String, Long> byVerb = requests.stream()
        .collect(Collectors.groupingBy(RequestVerbs::verb, TreeMap::new, Collectors.counting()));
    Map<String, Double> handling = requests.stream().filter(e -> e.nanos() <= untilNanos)
        .collect(Collectors.groupingBy(RequestVerbs::verb, TreeMap::new,
            Collectors.summingDouble(e -> e.handlingNanos() / 1e9)));
    double standInSeconds = standIn.stream().filter(e -> e.nanos() >= fromNanos && e.nanos() <= untilNanos)
        .mapToDouble(e -> e.handlingNanos() / 1e9).sum();
    return new ServerLoad(byVerb, handling, standInSeconds, benchmarkCpu, standInTimes, slotReuse);
  }

  long deploymentWrites() {
    return requestsByVerb.getOrDefault("patch deployment", 0L);
  }

  String describe() {
    return String.format("""
          requests by verb:      %s
          server handling them:  %s (until convergence); the stand-in controllers' meanwhile: %.2f s
          benchmark JVM CPU:     %s
          stand-in rollouts:     %.0f ms queued for a worker, %.1f ms writing the status (means)
          slot freed to reused:  %s
        """, requestsByVerb, seconds(handlingSecondsByVerb), standInHandlingSeconds, seconds(benchmarkCpu),
        standInTimes[0], standInTimes[1], slotReuse);
  }

  static String seconds(Map<String, Double> seconds) {
    return seconds.entrySet().stream().filter(e -> e.getValue() >= 0.01)
        .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
  }
}
