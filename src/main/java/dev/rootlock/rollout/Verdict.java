package dev.rootlock.rollout;

import dev.rootlock.diagnosis.Diagnosis;
import java.time.Instant;

/** The outcome of one look at what a template change started. */
public sealed interface Verdict {
  /**
   * Done and healthy. Whether the workload's own status keeps saying so is
   * {@link RolloutReader#completionLasts}; when it does not, the operator remembers the pass.
   */
  record Complete() implements Verdict {}

  /**
   * @param detail progress in words, for the workload message
   * @param lookAt when to look again without news (the pods, if the status still stands still by
   *     then), or null when only news or the timeout need a look
   */
  record InProgress(String detail, Instant lookAt) implements Verdict {
    public InProgress(String detail) {
      this(detail, null);
    }
  }

  /**
   * @param evidence what failed, in words
   * @param diagnosis the read-only-filesystem error found in a crash message, if any
   * @param container the container it concerns, when a container failed
   */
  record Failed(String evidence, Diagnosis diagnosis, String container) implements Verdict {

    /** A container crashed with a read-only-filesystem error: the hardening's fault whenever it happened. */
    public boolean isReadOnlyCrash() {
      return container != null && !diagnosis.isEmpty();
    }

    /** The evidence, preceded by what to do when the crash says which paths were needed. */
    public String message() {
      return diagnosis.isEmpty() || container == null ? evidence
          : diagnosis.message(container) + " (" + evidence + ")";
    }
  }
}
