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
 */
public record ProbeResult(String image, String engine, Quantity sizeLimit, List<WritablePath> declared,
    List<Learned> learned, List<Run> runs, String reason, List<String> warnings) {

  public ProbeResult {
    declared = List.copyOf(declared);
    learned = List.copyOf(learned);
    runs = List.copyOf(runs);
    warnings = List.copyOf(warnings);
  }

  /**
   * @param run the run whose output taught it (1-based)
   * @param line the output line that named it
   */
  public record Learned(WritablePath path, int run, String line) {}

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
