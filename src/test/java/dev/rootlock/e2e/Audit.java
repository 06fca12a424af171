package dev.rootlock.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The audit log, where the suite can read it: only on the local control plane it started. */
final class Audit {
  private Audit() {}

  /** The API server's audit log; skips the test on a cluster the suite did not start. */
  static AuditLog require(Installation installation) {
    var file = installation.cluster().auditLog();
    assumeTrue(file.isPresent(), "the API server's audit log is read only on the local control plane");
    return new AuditLog(file.get());
  }
}
