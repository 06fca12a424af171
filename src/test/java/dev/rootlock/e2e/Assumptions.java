package dev.rootlock.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What some tests need of the cluster beyond a kubeconfig. */
final class Assumptions {
  private Assumptions() {}

  /**
   * Crashes are made by the local control plane's KWOK stage (src/test/cluster/stages): on
   * another cluster a pod never crashes for want of a path, so those tests are skipped there.
   */
  static void localCrashStage(Installation installation) {
    assumeTrue(installation.cluster().auditLog().isPresent(),
        "crashes are replayed by the local control plane's KWOK stage; not on this cluster");
  }
}
