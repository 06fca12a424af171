package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;

/**
 * No request of the operator may be refused by RBAC: the audit log's authorization decisions
 * (where the suite can read it) and the operator's own log are searched for a refusal. A 403 from
 * admission for a namespace being deleted (the suite's own teardown) is no RBAC refusal.
 */
final class Forbidden {
  /**
   * 403 as a number of its own: not inside a resourceVersion such as 10403, a uid such as
   * {@code 23b403b4-...} (hex: letters and hyphens around it), nor the milliseconds of a log line's
   * time ({@code 15:08:59.403Z}).
   */
  static final Pattern HTTP_403 = Pattern.compile("(?<![0-9A-Za-z.:-])403(?![0-9A-Za-z-])");

  private Forbidden() {}

  static void assertNone(Installation installation, OperatorProcess operator) {
    assertThat(operator.log().lines().filter(l -> HTTP_403.matcher(l).find() || l.contains("Forbidden")
        || l.contains("forbidden")).filter(l -> !l.contains("because it is being terminated")).toList()).as("refusals in the log of operator " + operator.name()).isEmpty();
    installation.cluster().auditLog().ifPresent(file -> {
      List<AuditLog.Request> refused = new AuditLog(file).since(0, r -> r.user().equals(Installation.operatorUser())
          && r.decision().equals("forbid"));
      assertThat(refused).as("requests of the operator's ServiceAccount refused by RBAC").isEmpty();
    });
  }
}
