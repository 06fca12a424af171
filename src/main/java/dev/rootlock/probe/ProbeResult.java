package dev.rootlock.probe;

import dev.rootlock.engine.WritablePath;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * What a probe found: the writable paths the image needs, each with the line that taught it, and
 * whether it runs read-only with them.
 *
 * @param declared paths given on the command line or by the policy, writable from the first run
 * @param learned paths learned from the runs' output, in the order they were learned
 * @param reason why it cannot run read-only, or null when it can
 * @param warnings failed writes the last run's output names that could not be learned (a directory
 *     that would hide the image's files, a relative path) although the app kept running
 * @param notes what a discovery run's diff showed that was not taken, and why
 */
public record ProbeResult(String image, String engine, Quantity sizeLimit, List<WritablePath> declared,
    List<Learned> learned, List<Run> runs, String reason, List<String> warnings, List<String> notes) {

  public ProbeResult {
    declared = List.copyOf(declared);
    learned = List.copyOf(learned);
    runs = List.copyOf(runs);
    warnings = List.copyOf(warnings);
    notes = List.copyOf(notes);
  }

  /** A result without notes. */
  public ProbeResult(String image, String engine, Quantity sizeLimit, List<WritablePath> declared,
      List<Learned> learned, List<Run> runs, String reason, List<String> warnings) {
    this(image, engine, sizeLimit, declared, learned, runs, reason, warnings, List.of());
  }

  /**
   * @param run the run whose output taught it (1-based)
   * @param line the output line that named it
   * @param image what the image holds there ("empty in the image") when that decided between a
   *     plain and a seeded path, else null (judged by the path, or a temporary directory)
   */
  public record Learned(WritablePath path, int run, String line, String image) {
    public Learned(WritablePath path, int run, String line) {
      this(path, run, line, null);
    }

    /**
     * What the image holds here and what that made of it ("/etc/nginx/conf.d: holds 1 file(s) in
     * the image: seeded"); null when the image was not looked at for it.
     */
    public String verdict() {
      return image == null ? null : path.path() + ": " + image + ": "
          + (path.seeded() ? "seeded" : "a plain writable path (" + path.kind().field() + ")");
    }
  }

  /** This result with one more warning. */
  public ProbeResult withWarning(String warning) {
    List<String> all = new ArrayList<>(warnings);
    all.add(warning);
    return new ProbeResult(image, engine, sizeLimit, declared, learned, runs, reason, all, notes);
  }

  /** @param outcome what happened, in words ("exited with code 1 after 0.3 s") */
  public record Run(int number, String outcome) {}

  public boolean succeeded() {
    return reason == null;
  }

  /** Every writable path: declared first, then learned. */
  public List<WritablePath> paths() {
    List<WritablePath> all = new ArrayList<>(declared);
    learned.forEach(l -> all.add(l.path()));
    return all;
  }
}
