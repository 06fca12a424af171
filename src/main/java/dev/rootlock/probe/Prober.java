package dev.rootlock.probe;

import dev.rootlock.diagnosis.ContainerDirectories;
import dev.rootlock.diagnosis.Diagnosis;
import dev.rootlock.diagnosis.Need;
import dev.rootlock.diagnosis.PathSafety;
import dev.rootlock.diagnosis.ReadOnlyFilesystemErrors;
import dev.rootlock.diagnosis.Severity;
import dev.rootlock.engine.Tmpfs;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.probe.ContainerEngine.ContainerState;
import dev.rootlock.probe.ContainerEngine.EngineException;
import dev.rootlock.probe.ContainerEngine.ExecResult;
import dev.rootlock.probe.ContainerEngine.ImageConfig;
import dev.rootlock.probe.ContainerEngine.RunSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code docker run --read-only --tmpfs ...} loop, automated: run the image with a read-only
 * root and a tmpfs at every path known so far, read its output when it fails, make the safe
 * directories it names writable, and run again, until it runs (or, for a job, exits 0) or there
 * is nothing safe left to learn. Every container is removed whatever happens.
 */
public final class Prober {
  private static final Duration POLL = Duration.ofMillis(200);
  /** Output of an exec check is diagnosed too, but only this much of it is shown. */
  private static final int SHOWN_LINES = 3;

  private final ContainerEngine engine;
  private final Consumer<String> progress;
  private final HttpProbe http;

  /**
   * @param progress told what each run did and what it taught, line by line, as it happens
   */
  public Prober(ContainerEngine engine, Consumer<String> progress, HttpProbe http) {
    this.engine = engine;
    this.progress = progress;
    this.http = http;
  }

  /** How a GET is made; the real one is {@link HttpProbe#DEFAULT}, tests pass their own. */
  @FunctionalInterface
  public interface HttpProbe {
    /** The HTTP status, or -1 with nothing answering. */
    int get(String url);

    HttpProbe DEFAULT = new HttpGet();
  }

  /** @throws EngineException when the engine fails (not when the image does) */
  public ProbeResult probe(ProbeRequest request) {
    ImageConfig image = engine.inspectImage(request.image());
    ContainerDirectories context = new ContainerDirectories(image.workingDir(), tmpDir(image.env(), request.env()));
    List<ProbeResult.Learned> learned = new ArrayList<>();
    List<ProbeResult.Run> runs = new ArrayList<>();
    for (int n = 1; n <= request.tries(); n++) {
      Attempt a = attempt(request, learned, n);
      Diagnosis d = ReadOnlyFilesystemErrors.diagnose(a.output, context);
      List<Need> fresh = d.needs().stream().filter(x -> x.learnable() || x.seedable())
          .filter(need -> !isWritable(request, learned, need.directory())).toList();
      // An app that keeps running after a failed write may only fail later, when that path is
      // used: a run counts only when its output names nothing more to learn.
      String outcome = a.succeeded && !fresh.isEmpty() ? a.outcome + ", but its output names a failed write"
          : a.outcome;
      runs.add(new ProbeResult.Run(n, outcome));
      progress.accept("run " + n + ": " + outcome);
      if (a.succeeded && fresh.isEmpty()) {
        List<String> warnings = d.needs().stream().filter(x -> x.severity() != Severity.INFO)
            .map(x -> "the app " + x.describe()).toList();
        warnings.forEach(w -> progress.accept("  warning: " + w));
        return result(request, learned, runs, null, warnings);
      }
      if (fresh.isEmpty()) {
        return result(request, learned, runs, why(a, d, request, learned), List.of());
      }
      for (Need need : fresh) {
        WritablePath path = new WritablePath(need.directory(), need.seedable() ? WritablePath.Kind.SEED
            : Need.TMP_PATHS.equals(need.field()) ? WritablePath.Kind.TMP : WritablePath.Kind.CACHE);
        learned.add(new ProbeResult.Learned(path, n, need.line()));
        progress.accept(need.seedable()
            ? "  seeded " + need.directory() + " from the image (" + need.field() + ") from: " + need.line()
            : "  learned " + need.directory() + " (" + need.field() + ") from: " + need.line());
      }
    }
    return result(request, learned, runs, "still failing after " + request.tries() + " runs (--tries); the "
        + "last run " + runs.get(runs.size() - 1).outcome(), List.of());
  }

  /** One run: what happened, its output, and whether it counts as running read-only. */
  private record Attempt(boolean succeeded, String outcome, String output, int exitCode) {}

  private Attempt attempt(ProbeRequest request, List<ProbeResult.Learned> learned, int n) {
    Map<String, String> tmpfs = new LinkedHashMap<>();
    List<String> seeded = new ArrayList<>();
    String options = "rw," + Tmpfs.options(request.sizeLimit());
    List<WritablePath> all = new ArrayList<>(request.paths());
    learned.forEach(l -> all.add(l.path()));
    for (WritablePath p : all) {
      if (p.seeded()) {
        seeded.add(p.path());
      } else {
        tmpfs.put(p.path(), options);
      }
    }
    long start = System.nanoTime();
    String id = engine.run(new RunSpec(request.image(), request.command(), tmpfs, request.env(), request.user(),
        request.needsPort() ? request.httpCheck().port() : null, seeded));
    try {
      ContainerState state = settle(id, request.settle());
      String seconds = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
      if (!state.running()) {
        String output = engine.logs(id);
        String oom = state.oomKilled() ? " (killed for memory: a tmpfs may be full)" : "";
        if (state.exitCode() == 0 && !hasChecks(request)) {
          return new Attempt(true, "exited with code 0 after " + seconds, output, 0);
        }
        return new Attempt(false, "exited with code " + state.exitCode() + oom + " after " + seconds
            + (state.exitCode() == 0 ? ", before the checks could run" : ""), output, state.exitCode());
      }
      List<String> passed = new ArrayList<>();
      StringBuilder checkOutput = new StringBuilder();
      String failedCheck = runChecks(request, id, passed, checkOutput);
      String output = engine.logs(id) + "\n" + checkOutput;
      if (failedCheck != null) {
        return new Attempt(false, "running after " + seconds + ", but " + failedCheck, output, 0);
      }
      return new Attempt(true, "running after " + seconds + (passed.isEmpty() ? "" : "; " + String.join("; ", passed)),
          output, 0);
    } finally {
      engine.remove(id);
    }
  }

  /** Waits until the container exits or {@code settle} has passed; the state at that moment. */
  private ContainerState settle(String id, Duration settle) {
    long deadline = System.nanoTime() + settle.toNanos();
    ContainerState s = engine.state(id);
    while (s.running() && System.nanoTime() < deadline) {
      sleep(Math.min(POLL.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      s = engine.state(id);
    }
    return s;
  }

  /** Runs the checks in order; null when all pass, else what failed. */
  private String runChecks(ProbeRequest request, String id, List<String> passed, StringBuilder output) {
    if (request.httpCheck() != null) {
      String url = "http://" + engine.hostPort(id, request.httpCheck().port()) + request.httpCheck().path();
      int status = -1;
      for (int i = 0; i < 5 && (status < 200 || status >= 400); i++) {
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

  /** Why the probe stops here: what the output named that cannot be learned, or that it named nothing. */
  private static String why(Attempt a, Diagnosis d, ProbeRequest request, List<ProbeResult.Learned> learned) {
    // an info line ("can not modify ...") explains nothing while a more severe line is there
    List<Need> ranked = d.needs().stream().filter(x -> x.severity() != Severity.INFO).toList();
    for (Need need : ranked.isEmpty() ? d.needs() : ranked) {
      if (need.learnable() || need.seedable()) {
        return "it still fails writing " + need.path() + " although " + need.directory() + " is writable: "
            + "check the size limit (" + request.sizeLimit() + ") and that the user may write there";
      }
      if (need.safety() != PathSafety.LEARN && need.safety() != PathSafety.SEED) {
        return "the app " + need.describe();
      }
    }
    return "it " + a.outcome + " and its output names no read-only-filesystem failure" + shown(a.output);
  }

  private static String shown(String output) {
    String s = output == null ? "" : output.strip();
    return s.isEmpty() ? "" : "; last lines: " + CliEngine.lastLines(s, SHOWN_LINES);
  }

  private static boolean hasChecks(ProbeRequest r) {
    return r.httpCheck() != null || r.execCheck() != null;
  }

  /** Whether {@code dir} is already on a tmpfs: at or below one of the paths mounted so far. */
  private static boolean isWritable(ProbeRequest request, List<ProbeResult.Learned> learned, String dir) {
    WritablePath candidate = new WritablePath(dir, WritablePath.Kind.CACHE);
    return request.paths().stream().anyMatch(p -> candidate.isCoveredBy(p.path()))
        || learned.stream().anyMatch(l -> candidate.isCoveredBy(l.path().path()));
  }

  /** TMPDIR as the container will see it: -e wins over the image's ENV. */
  private static String tmpDir(List<String> imageEnv, List<String> requestEnv) {
    String value = null;
    for (List<String> env : List.of(imageEnv, requestEnv)) {
      for (String e : env) {
        if (e.startsWith("TMPDIR=")) {
          value = e.substring("TMPDIR=".length());
        }
      }
    }
    return value;
  }

  private ProbeResult result(ProbeRequest r, List<ProbeResult.Learned> learned, List<ProbeResult.Run> runs,
      String reason, List<String> warnings) {
    return new ProbeResult(r.image(), engine.name(), r.sizeLimit(), r.paths(), learned, runs, reason, warnings);
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
