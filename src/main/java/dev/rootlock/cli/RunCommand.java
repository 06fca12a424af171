package dev.rootlock.cli;

import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import io.fabric8.kubernetes.client.Config;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator against the cluster of the current kubeconfig until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the operator against the cluster of the current kubeconfig (KUBECONFIG, "
        + "~/.kube/config, or the in-cluster service account) until stopped with SIGTERM or Ctrl-C.")
public final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--namespaces", split = ",", paramLabel = "NS",
      defaultValue = "${env:ROOTLOCK_NAMESPACES:-}",
      description = "Namespaces to watch, comma-separated; default all (env ROOTLOCK_NAMESPACES).")
  List<String> namespaces = List.of();

  @Option(names = "--resync", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:ROOTLOCK_RESYNC:-10m}",
      description = "Reconcile every policy at least this often, e.g. 30s, 10m (env ROOTLOCK_RESYNC; default ${DEFAULT-VALUE}).")
  Duration resync;

  Settings settings() {
    Set<String> ns = new LinkedHashSet<>();
    namespaces.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(ns::add);
    return new Settings(ns, resync);
  }

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = settings();
    Config config = Config.autoConfigure(null);
    Operator operator = RootlockOperator.create(config, settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      operator.stop();
      stopped.countDown();
    }, "rootlock-shutdown"));
    LOG.info("starting against {} namespaces={} resync={}", config.getMasterUrl(),
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(), settings.resync());
    try {
      operator.start();
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      LOG.error("cannot start: the Kubernetes API at {} did not answer as expected ({}: {}); check the "
          + "kubeconfig context and that the CRD in crds/ is installed", config.getMasterUrl(),
          root.getClass().getSimpleName(), root.getMessage());
      return 1;
    }
    stopped.await();
    return 0;
  }
}
