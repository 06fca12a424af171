package dev.rootlock.bench;

import dev.rootlock.testing.JdkTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own, started cold, with its output in a file: the operator as users run it, or the
 * floor client. Reads its CPU time, per thread, from /proc (Linux), so a benchmark can say where
 * a process spent its CPU without a profiler in it.
 */
final class JvmProcess implements AutoCloseable {
  private final Process process;
  private final long startedNanos;
  private final long startedMillis;
  private final Path log;
  private final CpuLimit limit;

  private JvmProcess(Process process, long startedNanos, long startedMillis, Path log, CpuLimit limit) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.startedMillis = startedMillis;
    this.log = log;
    this.limit = limit;
  }

  /**
   * Starts {@code java <arguments>} with {@code env} added, stdout and stderr to {@code log}, under
   * the pod's CPU limit (a cgroup named {@code name}) where this machine lets the benchmark set one.
   */
  static JvmProcess start(String name, List<String> arguments, Map<String, String> env, Path log)
      throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(JdkTools.tool("java"));
    command.addAll(arguments);
    CpuLimit limit = CpuLimit.oneCpu("rootlock-bench-" + name);
    ProcessBuilder pb = new ProcessBuilder(limit.wrap(command)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().putAll(env);
    long millis = System.currentTimeMillis();
    long nanos = System.nanoTime();
    return new JvmProcess(pb.start(), nanos, millis, log, limit);
  }

  /** The CPU limit it runs under, and how often it held the process back so far. */
  String cpuLimit() {
    return limit.throttling();
  }

  long pid() {
    return process.pid();
  }

  /** System.nanoTime() just before the process was started. */
  long startedNanos() {
    return startedNanos;
  }

  /** System.currentTimeMillis() just before the process was started (to compare with its own clock). */
  long startedMillis() {
    return startedMillis;
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("process " + pid() + " still running after " + seconds + " s; see " + log);
    }
    return process.exitValue();
  }

  /** User + system CPU seconds of the whole process so far. */
  double cpuSeconds() {
    return figures().cpuSeconds();
  }

  /** CPU seconds and peak RSS so far, while it runs. */
  ProcFigures figures() {
    return ProcFigures.read(Path.of("/proc", String.valueOf(pid())));
  }

  /**
   * CPU seconds of the live threads, by name with digits dropped ("ReconcilerExecutor-#" for all
   * the reconcile threads). Thread names are as Linux keeps them: at most 15 characters.
   */
  Map<String, Double> cpuByThread() {
    Map<String, Double> byName = new TreeMap<>();
    Path tasks = Path.of("/proc", String.valueOf(pid()), "task");
    try (var threads = Files.list(tasks)) {
      for (Path t : threads.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "#");
          byName.merge(name, ProcFigures.ticks(stat) / ProcFigures.TICKS_PER_SECOND, Double::sum);
        } catch (IOException ended) {
          // the thread ended while being read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byName;
  }

  /** SIGTERM (the operator's shutdown hook runs), then SIGKILL if it has not ended within 20 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    limit.remove();
  }
}
