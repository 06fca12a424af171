package dev.rootlock.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's API round trips as its own {@code rootlock_api_request_duration_seconds} histogram
 * recorded them (from a saved scrape): what its reconciles wait for, to set beside the time the
 * server took to handle the same requests.
 */
final class RoundTrips {
  private static final Pattern LINE = Pattern.compile(
      "rootlock_api_request_duration_seconds_(bucket|count|sum)\\{method=\"([A-Z]+)\",resource=\"([^\"]+)\""
          + "(?:,le=\"([^\"]+)\")?} (\\S+)");

  private RoundTrips() {}

  /**
   * "PATCH deployments: 750, mean 227 ms, p50 ≤ 250 ms, p90 ≤ 1000 ms; ..." for the writes the
   * benchmark cares about.
   */
  static String describe(Path scrape) throws IOException {
    Map<String, Series> series = new TreeMap<>();
    for (String line : Files.readAllLines(scrape)) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      Series s = series.computeIfAbsent(m.group(2) + " " + m.group(3), k -> new Series());
      double value = Double.parseDouble(m.group(5));
      switch (m.group(1)) {
        case "count" -> s.count = value;
        case "sum" -> s.sum = value;
        default -> s.buckets.add(new double[] {m.group(4).equals("+Inf") ? Double.POSITIVE_INFINITY
            : Double.parseDouble(m.group(4)), value});
      }
    }
    List<String> out = new ArrayList<>();
    for (String key : List.of("PATCH deployments", "PATCH readonlypolicies/status", "POST events")) {
      Series s = series.get(key);
      if (s != null && s.count > 0) {
        out.add(String.format("%s: %d, mean %.0f ms, p50 ≤ %s, p90 ≤ %s", key, (long) s.count,
            s.sum / s.count * 1000, s.bound(0.5), s.bound(0.9)));
      }
    }
    return out.isEmpty() ? "none recorded" : String.join("; ", out);
  }

  private static final class Series {
    double count;
    double sum;
    final List<double[]> buckets = new ArrayList<>(); // upper bound (s), cumulative count

    /** The smallest bucket bound holding the quantile q. */
    String bound(double q) {
      for (double[] b : buckets) {
        if (b[1] >= q * count) {
          return Double.isInfinite(b[0]) ? "+Inf" : String.format("%.0f ms", b[0] * 1000);
        }
      }
      return "+Inf";
    }
  }
}
