package dev.rootlock.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The chart in {@code deploy/chart/rootlock} as a real helm renders it: pom.xml's
 * {@code helm.version}, built from its Go module by {@code src/test/helm/build} into
 * {@code ~/.cache/rootlock-helm/<version>/helm}. Without that binary a test is skipped with how
 * to build it, or fails under {@code -Drootlock.tools.required=true} (as {@code .ci/run} runs).
 */
final class HelmChart {
  static final Path CHART = Path.of("deploy/chart/rootlock");
  /** The release's name and namespace in every rendering: deploy/'s namespace. */
  static final String RELEASE = "rootlock";
  static final String NAMESPACE = "rootlock-system";
  /** Every optional feature on, in chart-testing's place for values files (ct lint and ct install read ci/). */
  static final Path ALL_FEATURES = CHART.resolve("ci/all-features-values.yaml");

  private HelmChart() {}

  /** What a helm command did: its exit status and what it printed. */
  record Result(int exit, String out, String err) {}

  static Path binary() {
    String version = System.getProperty("rootlock.helm.version");
    Path home = Path.of(System.getenv().getOrDefault("XDG_CACHE_HOME", System.getProperty("user.home") + "/.cache"));
    Path helm = version == null ? null : home.resolve("rootlock-helm").resolve(version).resolve("helm");
    if (helm != null && Files.isExecutable(helm)) {
      return helm;
    }
    String message = version == null
        ? "rootlock.helm.version is not set: run the chart tests through Maven (pom.xml sets it from <helm.version>)"
        : "helm " + version + " is not built: run src/test/helm/build (about 2.5 minutes cold; .ci/run does it), "
            + "which puts it in " + helm;
    if (Boolean.getBoolean("rootlock.tools.required")) {
      throw new IllegalStateException(message);
    }
    assumeTrue(false, message);
    return null;
  }

  /** Runs helm with {@code args}, its config, cache and data kept under target/ (never the user's). */
  static Result run(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    Path home = Path.of("target/helm-home").toAbsolutePath();
    Map<String, String> env = pb.environment();
    env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
    env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
    env.put("HELM_DATA_HOME", home.resolve("data").toString());
    env.put("NO_COLOR", "1");
    return exec(pb, "");
  }

  /** Runs a command with {@code input} on its standard input; waits for it and returns what it printed. */
  static Result exec(ProcessBuilder pb, String input) throws IOException, InterruptedException {
    Process p = pb.start();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    try (var stdin = p.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    return new Result(p.waitFor(), out.join(), err.join());
  }

  /** {@code helm template} of the chart with these extra arguments (-f FILE, --set k=v, --include-crds). */
  static Result template(String... args) throws IOException, InterruptedException {
    return templateIn(NAMESPACE, args);
  }

  /** {@code helm template} of the chart for a release in {@code namespace}. */
  static Result templateIn(String namespace, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "--namespace", namespace));
    all.addAll(List.of(args));
    return run(all);
  }

  /** The objects {@code helm template} renders; fails with helm's message when it refuses. */
  static List<JsonNode> render(String... args) throws Exception {
    return renderIn(NAMESPACE, args);
  }

  /** The objects {@code helm template} renders for a release in {@code namespace}. */
  static List<JsonNode> renderIn(String namespace, String... args) throws Exception {
    Result r = templateIn(namespace, args);
    if (r.exit() != 0) {
      throw new AssertionError("helm template " + String.join(" ", args) + " failed: " + r.err());
    }
    return Rendered.objects("helm template", r.out());
  }

  /** {@code helm template} with these values (YAML), which must be refused; returns helm's message. */
  static String refusal(String values) throws IOException, InterruptedException {
    Path file = Files.createTempFile(Files.createDirectories(Path.of("target")), "values-", ".yaml");
    try {
      Files.writeString(file, values);
      Result r = template("-f", file.toString());
      if (r.exit() == 0) {
        throw new AssertionError("helm accepted values it should refuse:\n" + values);
      }
      return r.err();
    } finally {
      Files.delete(file);
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
