package dev.rootlock.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Prometheus (Debian package {@code prometheus}) on a free loopback port, scraping the
 * operator every second. Missing Prometheus fails the test when -Drootlock.prometheus.required=true
 * (as .ci/run sets, after installing it); elsewhere the test is skipped with how to install it.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String base;
  private final Path log;

  private PrometheusServer(Process process, String base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  public static Path binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String message = name + " not found on PATH: " + (name.equals("kubectl")
        ? "install kubectl (client only); .ci/run requires it"
        : "install the Debian package with `apt-get update && apt-get install -y prometheus` (.ci/run does this)");
    if (Boolean.getBoolean("rootlock.prometheus.required") || Boolean.getBoolean("rootlock.tools.required")) {
      throw new IllegalStateException(message);
    }
    assumeTrue(false, message);
    return null;
  }

  /** Starts Prometheus scraping {@code target} (host:port) as job "rootlock", with {@code rules} loaded. */
  public static PrometheusServer start(Path dir, String target, Path rules) throws IOException {
    Path bin = binary("prometheus");
    int port = LocalPorts.free();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: ['%s']
        scrape_configs:
        - job_name: rootlock
          static_configs:
          - targets: ['%s']
        """.formatted(rules.toAbsolutePath(), target));
    Path log = dir.resolve("prometheus.log");
    Process p = new ProcessBuilder(bin.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new PrometheusServer(p, "http://127.0.0.1:" + port, log);
  }

  /** The {@code data.result} array of an instant query, or an AssertionError with Prometheus's error. */
  public JsonNode query(String promql) {
    var response = Http.get(base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    try {
      JsonNode body = JSON.readTree(response.body());
      if (!"success".equals(body.path("status").asText())) {
        throw new AssertionError("query failed: " + promql + " -> " + response.body());
      }
      return body.at("/data/result");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode api(String path) {
    try {
      return JSON.readTree(Http.get(base + path).body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Runs {@code promtool check rules FILE}; returns its output, failing on a non-zero exit. */
  public static String checkRules(Path rules) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(binary("promtool").toString(), "check", "rules", rules.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("promtool check rules failed:\n" + out);
    }
    return out;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
