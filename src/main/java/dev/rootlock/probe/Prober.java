package dev.rootlock.probe;

import dev.rootlock.diagnosis.ContainerChanges;
import dev.rootlock.diagnosis.ContainerDirectories;
import dev.rootlock.diagnosis.Diagnosis;
import dev.rootlock.diagnosis.ImageDirectory;
import dev.rootlock.diagnosis.Need;
import dev.rootlock.diagnosis.PathSafety;
import dev.rootlock.diagnosis.ReadOnlyFilesystemErrors;
import dev.rootlock.diagnosis.Severity;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.probe.ContainerEngine.EngineException;
import dev.rootlock.probe.ContainerEngine.ImageConfig;
import dev.rootlock.probe.ProbeRun.Attempt;
import java.util.ArrayList;
import java.util.List;
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
  private final ContainerEngine engine;
  private final Consumer<String> progress;
  private final ProbeRun run;

  /**
   * @param progress told what each run did and what it taught, line by line, as it happens
   */
  public Prober(ContainerEngine engine, Consumer<String> progress, HttpProbe http) {
    this.engine = engine;
    this.progress = progress;
    this.run = new ProbeRun(engine, http);
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
    List<String> notes = new ArrayList<>();
    if (request.discover()) {
      discover(request, context, image, look, learned, runs, persist, notes);
    }
    for (int tried = 0; tried < request.tries(); tried++) {
      int n = runs.size() + 1;
      Attempt a = run.attempt(request, paths(request, learned), true, context, false);
      Diagnosis d = ReadOnlyFilesystemErrors.diagnose(a.output(), context);
      List<Need> fresh = d.needs().stream().filter(x -> x.learnable() || x.seedable())
          .filter(need -> !isWritable(request, learned, need.directory())).toList();
      // An app that keeps running after a failed write may only fail later, when that path is
      // used: a run counts only when its output names nothing more to learn.
      String outcome = a.succeeded() && !fresh.isEmpty() ? a.outcome() + ", but its output names a failed write"
          : a.outcome();
      runs.add(new ProbeResult.Run(n, outcome));
      progress.accept("run " + n + ": " + outcome);
      if (a.succeeded() && fresh.isEmpty()) {
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
        return result(request, learned, runs, null, warnings, notes);
      }
      if (fresh.isEmpty()) {
        String reason = d.needs().isEmpty() ? compared(request, learned, runs, context) : null;
        return result(request, learned, runs, reason != null ? reason : why(a, d, request), persist, notes);
      }
      for (Need need : fresh) {
        learn(need, n, image, look, learned, persist);
      }
    }
    return result(request, learned, runs, "still failing after " + request.tries() + " runs (--tries); the "
        + "last run " + runs.get(runs.size() - 1).outcome(), persist, notes);
  }

  /** Makes {@code need}'s directory writable from the next run on: plain, or seeded when it holds the image's files. */
  private void learn(Need need, int n, ImageConfig image, ImageLook look, List<ProbeResult.Learned> learned,
      List<String> persist) {
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

  /**
   * --discover: one run with a writable root (and the checks), then the engine's diff of it: every
   * directory the app wrote is learned by the same rule as a crash's, including writes that never
   * make it fail (a cache it silently does without). The read-only runs then confirm them.
   */
  private void discover(ProbeRequest request, ContainerDirectories context, ImageConfig image, ImageLook look,
      List<ProbeResult.Learned> learned, List<ProbeResult.Run> runs, List<String> persist, List<String> notes) {
    Attempt a = run.attempt(request, paths(request, learned), false, context, true);
    int n = runs.size() + 1;
    String outcome = "with a writable root, to discover what it writes: " + a.outcome();
    runs.add(new ProbeResult.Run(n, outcome));
    progress.accept("run " + n + ": " + outcome);
    ContainerChanges.Reading changes = ContainerChanges.read(a.changes(), context, engine.name() + " diff");
    for (String ignored : changes.ignored()) {
      notes.add(engine.name() + " diff of run " + n + ": " + ignored + ": ignored");
      progress.accept("  note: " + notes.get(notes.size() - 1));
    }
    for (Need need : changes.needs()) {
      if (!need.learnable() && !need.seedable()) {
        notes.add(need.line() + ": " + need.directory() + " cannot be made writable automatically ("
            + need.safety() + "): the read-only runs show whether the app needs it");
        progress.accept("  note: " + notes.get(notes.size() - 1));
      } else if (!isWritable(request, learned, need.directory())) {
        learn(need, n, image, look, learned, persist);
      }
    }
  }

  /**
   * A run that failed without naming any read-only failure, run once more with a writable root: an
   * exit that has nothing to do with the filesystem ({@code exit 3}, a missing variable) is said as
   * such rather than blamed on the read-only root. Null when the writable run goes no better.
   */
  private String compared(ProbeRequest request, List<ProbeResult.Learned> learned, List<ProbeResult.Run> runs,
      ContainerDirectories context) {
    Attempt writable = run.attempt(request, paths(request, learned), false, context, false);
    String outcome = "with a writable root, for comparison: " + writable.outcome();
    runs.add(new ProbeResult.Run(runs.size() + 1, outcome));
    progress.accept("run " + runs.size() + ": " + outcome);
    if (writable.succeeded()) {
      return null;
    }
    return "it fails with a writable root filesystem too (the last run " + writable.outcome() + "), so the failure "
        + "is not about the read-only root: check the image, its command, -e and -u" + ProbeRun.shown(writable.output());
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
    return "the last run " + a.outcome() + ", and its output names no read-only-filesystem failure" + ProbeRun.shown(a.output());
  }

  /** The declared paths, then the learned ones. */
  private static List<WritablePath> paths(ProbeRequest request, List<ProbeResult.Learned> learned) {
    List<WritablePath> all = new ArrayList<>(request.paths());
    learned.forEach(l -> all.add(l.path()));
    return all;
  }

  /** Whether {@code dir} is already on a tmpfs: at or below one of the paths mounted so far. */
  private static boolean isWritable(ProbeRequest request, List<ProbeResult.Learned> learned, String dir) {
    WritablePath candidate = new WritablePath(dir, WritablePath.Kind.CACHE);
    return request.paths().stream().anyMatch(p -> candidate.isCoveredBy(p.path()))
        || learned.stream().anyMatch(l -> candidate.isCoveredBy(l.path().path()));
  }

  private ProbeResult result(ProbeRequest r, List<ProbeResult.Learned> learned, List<ProbeResult.Run> runs,
      String reason, List<String> warnings, List<String> notes) {
    return new ProbeResult(r.image(), engine.name(), r.sizeLimit(), r.paths(), learned, runs, reason, warnings,
        notes);
  }


}
