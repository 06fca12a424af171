package dev.rootlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripsTest {
  @Test
  void meanAndBucketBoundsOfTheWritesComeFromTheScrape(@TempDir Path dir) throws Exception {
    Path scrape = Files.writeString(dir.resolve("m.txt"), """
        # TYPE rootlock_api_request_duration_seconds histogram
        rootlock_api_request_duration_seconds_bucket{method="PATCH",resource="deployments",le="0.1"} 2
        rootlock_api_request_duration_seconds_bucket{method="PATCH",resource="deployments",le="0.25"} 5
        rootlock_api_request_duration_seconds_bucket{method="PATCH",resource="deployments",le="1.0"} 9
        rootlock_api_request_duration_seconds_bucket{method="PATCH",resource="deployments",le="+Inf"} 10
        rootlock_api_request_duration_seconds_count{method="PATCH",resource="deployments"} 10
        rootlock_api_request_duration_seconds_sum{method="PATCH",resource="deployments"} 3.0
        rootlock_api_request_duration_seconds_count{method="GET",resource="deployments"} 4
        """);
    assertThat(RoundTrips.describe(scrape))
        .isEqualTo("PATCH deployments: 10, mean 300 ms, p50 ≤ 250 ms, p90 ≤ 1000 ms");
  }

  @Test
  void aScrapeWithoutTheTimerSaysSo(@TempDir Path dir) throws Exception {
    assertThat(RoundTrips.describe(Files.writeString(dir.resolve("m.txt"), "up 1\n"))).isEqualTo("none recorded");
  }
}
