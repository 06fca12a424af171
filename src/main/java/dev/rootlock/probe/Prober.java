package dev.rootlock.probe;

import dev.rootlock.diagnosis.ContainerDirectories;
import dev.rootlock.diagnosis.Diagnosis;
import dev.rootlock.diagnosis.ImageDirectory;
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
 * is nothing safe left to learn. Whether a directory it names holds the image's files (so needs
 * seeding) is decided by looking into the image ({@link ImageLook}), not guessed from the path.
 * Every container is removed whatever happens.
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
    ImageConfig image = Images.inspect(engine, request, progress);
    try (ImageLook look = new ImageLook(engine, request.image(), progress)) {
      ProbeResult r = probe(request, image, look);
      return look.failure() == null ? r : r.withWarning(look.failure());
    }
  }

  /** The runs, with each directory a crash names judged by what {@code look} finds in the image. */
  private ProbeResult probe(ProbeRequest request, ImageConfig image, ImageLook look) {
    ContainerDirectories context = Images.directories(image, request, look);
    List<ProbeResult.Learned> learned = new ArrayList<>();
    List<ProbeResult.Run> runs = new ArrayList<>();
    List<String> persist = new ArrayList<>();
    for (int n = 1; n <= request.tries(); n++) {
      Attempt a = attempt(request, learned, true, context);
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
        List<String> warnings = new ArrayList<>(persist);
        if (!engine.isPodman()) { // Podman runs with --image-volume=ignore: its VOLUMEs are read-only, as in Kubernetes
          image.volumes().stream().filter(v -> !isWritable(request, learned, v)).map(Images::unseenVolume)
              .forEach(warnings::add);
        }
        d.needs().stream().filter(x -> x.severity() != Severity.INFO).map(x -> "the app " + x.describe())
            .forEach(w -> {
              warnings.add(w);
              progress.accept("  warning: " + w);
            });
        return result(request, learned, runs, null, warnings);
      }
      if (fresh.isEmpty()) {
        String reason = d.needs().isEmpty() ? compared(request, learned, runs, context) : null;
        return result(request, learned, runs, reason != null ? reason : why(a, d, request), persist);
      }
      for (Need need : fresh) {
        WritablePath path = new WritablePath(need.directory(), need.seedable() ? WritablePath.Kind.SEED
            : Need.TMP_PATHS.equals(need.field()) ? WritablePath.Kind.TMP : WritablePath.Kind.CACHE);
        ProbeResult.Learned l = new ProbeResult.Learned(path, n, need.line(),
            look.found(need.directory()).map(ImageDirectory::describe).orElse(null));
        learned.add(l);
        progress.accept(need.seedable()
            ? "  seeded " + need.directory() + " from the image (" + need.field() + ") from: " + need.line()
            : "  learned " + need.directory() + " (" + need.field() + ") from: " + need.line());
        if (l.verdict() != null) {
          progress.accept("  " + l.verdict());
        }
        Images.persistentData(image, need.directory()).ifPresent(w -> {
          persist.add(w);
          progress.accept("  warning: " + w);
        });
      }
    }
    return result(request, learned, runs, "still failing after " + request.tries() + " runs (--tries); the "
        + "last run " + runs.get(runs.size() - 1).outcome(), persist);
  }

  /**
   * A run that failed without naming any read-only failure, run once more with a writable root: an
   * exit that has nothing to do with the filesystem ({@code exit 3}, a missing variable) is said as
   * such rather than blamed on the read-only root. Null when the writable run goes no better.
   */
  private String compared(ProbeRequest request, List<ProbeResult.Learned> learned, List<ProbeResult.Run> runs,
      ContainerDirectories context) {
    Attempt writable = attempt(request, learned, false, context);
    String outcome = "with a writable root, for comparison: " + writable.outcome;
    runs.add(new ProbeResult.Run(runs.size() + 1, outcome));
    progress.accept("run " + runs.size() + ": " + outcome);
    if (writable.succeeded) {
      return null;
    }
    return "it fails with a writable root filesystem too (the last run " + writable.outcome + "), so the failure "
        + "is not about the read-only root: check the image, its command, -e and -u" + shown(writable.output);
  }

  /** One run: what happened, its output, and whether it counts as running read-only. */
  private record Attempt(boolean succeeded, String outcome, String output, int exitCode) {}

  private Attempt attempt(ProbeRequest request, List<ProbeResult.Learned> learned, boolean readOnly,
      ContainerDirectories context) {
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
        request.needsPort() ? request.httpCheck().port() : null, seeded, readOnly));
    try {
      List<String> passed = new ArrayList<>();
      StringBuilder checkOutput = new StringBuilder();
      Settled settled = settle(id, request, passed, checkOutput, context);
      ContainerState state = settled.state();
      String seconds = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
      if (!state.running()) {
        String output = engine.logs(id);
        String oom = state.oomKilled() ? " (killed for memory: a tmpfs may be full)" : "";
        if (state.exitCode() == 0 && !request.hasChecks()) {
          return new Attempt(true, "exited with code 0 after " + seconds, output, 0);
        }
        return new Attempt(false, "exited with code " + state.exitCode() + oom + " after " + seconds
            + (state.exitCode() == 0 ? ", before the checks could run" : ""), output, state.exitCode());
      }
      // checks that passed while it settled stand; else they get their full tries now
      String failedCheck = settled.failedCheck() != null ? settled.failedCheck()
          : passed.isEmpty() ? runChecks(request, id, passed, checkOutput, 5) : null;
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

  /** Why the probe stops here: what the output named that cannot be learned, or that it named nothing. */
  private static String why(Attempt a, Diagnosis d, ProbeRequest request) {
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
    return "the last run " + a.outcome + ", and its output names no read-only-filesystem failure" + shown(a.output);
  }

  private static String shown(String output) {
    String s = output == null ? "" : output.strip();
    return s.isEmpty() ? "" : "; last lines: " + CliEngine.lastLines(s, SHOWN_LINES);
  }

  /** Whether {@code dir} is already on a tmpfs: at or below one of the paths mounted so far. */
  private static boolean isWritable(ProbeRequest request, List<ProbeResult.Learned> learned, String dir) {
    WritablePath candidate = new WritablePath(dir, WritablePath.Kind.CACHE);
    return request.paths().stream().anyMatch(p -> candidate.isCoveredBy(p.path()))
        || learned.stream().anyMatch(l -> candidate.isCoveredBy(l.path().path()));
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
