package dev.rootlock.probe;

import dev.rootlock.diagnosis.ContainerDirectories;
import dev.rootlock.diagnosis.ReadOnlyFilesystemErrors;
import dev.rootlock.engine.Tmpfs;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.probe.ContainerEngine.ContainerState;
import dev.rootlock.probe.ContainerEngine.EngineException;
import dev.rootlock.probe.ContainerEngine.ExecResult;
import dev.rootlock.probe.ContainerEngine.RunSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of the probed image: started with the writable paths so far, waited for until it settles
 * or exits (its checks tried meanwhile), its output read, and removed whatever happens.
 */
final class ProbeRun {
  private static final Duration POLL = Duration.ofMillis(200);
  /** Output of an exec check is diagnosed too, but only this much of it is shown. */
  private static final int SHOWN_LINES = 3;

  private final ContainerEngine engine;
  private final Prober.HttpProbe http;

  ProbeRun(ContainerEngine engine, Prober.HttpProbe http) {
    this.engine = engine;
    this.http = http;
  }

  /**
   * One run: what happened, its output, whether it counts as running read-only, and what the
   * engine's diff says it changed (empty unless asked for).
   */
  record Attempt(boolean succeeded, String outcome, String output, int exitCode, List<String> changes) {
    Attempt withChanges(List<String> lines) {
      return new Attempt(succeeded, outcome, output, exitCode, lines);
    }
  }

  /**
   * Runs the image once, waits for it to settle, runs the checks, reads its output, and removes it.
   *
   * @param paths writable in this run: a tmpfs each, or a volume filled from the image when seeded
   * @param readOnly false for a run with a writable root
   * @param diff whether the engine's diff of the container is read before it is removed
   */
  Attempt attempt(ProbeRequest request, List<WritablePath> paths, boolean readOnly, ContainerDirectories context,
      boolean diff) {
    Map<String, String> tmpfs = new LinkedHashMap<>();
    List<String> seeded = new ArrayList<>();
    String options = "rw," + Tmpfs.options(request.sizeLimit());
    for (WritablePath p : paths) {
      if (p.seeded()) {
        seeded.add(p.path());
      } else {
        tmpfs.put(p.path(), options);
      }
    }
    long start = System.nanoTime();
    String id = engine.run(new RunSpec(request.image(), request.command(), tmpfs, request.env(), request.user(),
        request.needsPort() ? request.httpCheck().port() : null, seeded, readOnly));
    try {
      Attempt a = observe(id, request, context, start);
      return diff ? a.withChanges(engine.diff(id)) : a;
    } finally {
      engine.remove(id);
    }
  }

  private Attempt observe(String id, ProbeRequest request, ContainerDirectories context, long start) {
    List<String> passed = new ArrayList<>();
    StringBuilder checkOutput = new StringBuilder();
    Settled settled = settle(id, request, passed, checkOutput, context);
    ContainerState state = settled.state();
    String seconds = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
    if (!state.running()) {
      String output = engine.logs(id);
      String oom = state.oomKilled() ? " (killed for memory: a tmpfs may be full)" : "";
      if (state.exitCode() == 0 && !request.hasChecks()) {
        return new Attempt(true, "exited with code 0 after " + seconds, output, 0, List.of());
      }
      return new Attempt(false, "exited with code " + state.exitCode() + oom + " after " + seconds
          + (state.exitCode() == 0 ? ", before the checks could run" : ""), output, state.exitCode(), List.of());
    }
    // checks that passed while it settled stand; else they get their full tries now
    String failedCheck = settled.failedCheck() != null ? settled.failedCheck()
        : passed.isEmpty() ? runChecks(request, id, passed, checkOutput, 5) : null;
    String output = engine.logs(id) + "\n" + checkOutput;
    if (failedCheck != null) {
      return new Attempt(false, "running after " + seconds + ", but " + failedCheck, output, 0, List.of());
    }
    return new Attempt(true, "running after " + seconds + (passed.isEmpty() ? "" : "; " + String.join("; ", passed)),
        output, 0, List.of());
  }

  /** @param failedCheck a check that failed naming a read-only failure while it settled, or null */
  private record Settled(ContainerState state, String failedCheck) {}

  /**
   * Waits until the container exits or {@code --settle} has passed; the state at that moment. With
   * checks, they are tried once per poll while it runs, and the wait ends as soon as they pass
   * (filling {@code passed} and {@code output}): an app that answers is up, whatever --settle says.
   * It also ends when a check fails with output that names a read-only failure: there is something
   * to learn. Any other failure (the app not up yet) is tried again at the next poll.
   */
  private Settled settle(String id, ProbeRequest request, List<String> passed, StringBuilder output,
      ContainerDirectories context) {
    long deadline = System.nanoTime() + request.settle().toNanos();
    ContainerState s = engine.state(id);
    while (s.running() && System.nanoTime() < deadline) {
      if (request.hasChecks()) {
        StringBuilder tried = new StringBuilder();
        List<String> ok = new ArrayList<>();
        String failed = runChecks(request, id, ok, tried, 1);
        if (failed == null || !ReadOnlyFilesystemErrors.diagnose(tried.toString(), context).needs().isEmpty()) {
          passed.addAll(ok);
          output.append(tried);
          return new Settled(engine.state(id), failed);
        }
      }
      sleep(Math.min(POLL.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      s = engine.state(id);
    }
    return new Settled(s, null);
  }

  /** Runs the checks in order, an HTTP check up to {@code httpTries} times; null when all pass, else what failed. */
  private String runChecks(ProbeRequest request, String id, List<String> passed, StringBuilder output,
      int httpTries) {
    if (request.httpCheck() != null) {
      String host;
      try {
        host = engine.hostPort(id, request.httpCheck().port());
      } catch (EngineException e) {
        if (httpTries > 1) {
          throw e;
        }
        // polling while it settles: a container that has just exited has no port; its state says so next
        return "HTTP check :" + request.httpCheck() + " found no published port";
      }
      String url = "http://" + host + request.httpCheck().path();
      int status = -1;
      for (int i = 0; i < httpTries && (status < 200 || status >= 400); i++) {
        if (i > 0) {
          sleep(1000);
        }
        status = http.get(url);
      }
      String where = "HTTP check :" + request.httpCheck();
      if (status < 200 || status >= 400) {
        return where + (status < 0 ? " got no answer" : " answered " + status);
      }
      passed.add(where + " answered " + status);
    }
    if (request.execCheck() != null) {
      ExecResult r = engine.exec(id, request.execCheck(), Duration.ofSeconds(60));
      output.append(r.output());
      String where = "exec check '" + request.execCheck() + "'";
      if (r.exitCode() != 0) {
        return where + " exited with code " + r.exitCode() + shown(r.output());
      }
      passed.add(where + " passed");
    }
    return null;
  }

  static String shown(String output) {
    String s = output == null ? "" : output.strip();
    return s.isEmpty() ? "" : "; last lines: " + EngineCommand.lastLines(s, SHOWN_LINES);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted");
    }
  }
}
