package dev.rootlock.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.WorkloadState;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code --format sarif}: SARIF 2.1.0, which code scanning tools (GitHub code scanning, GitLab,
 * Sonar...) read: one result per finding, at the file and line of the workload, Compose service or
 * policy it is about. A finding that fails the gate is an {@code error}, any other a
 * {@code warning}.
 */
final class SarifOutput {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  /** One rule per kind of finding; the ids are part of the output's contract. */
  enum Rule {
    NOT_HARDENED("not-hardened", "Workload without a read-only root filesystem",
        "The workload's containers would get readOnlyRootFilesystem (read_only in Compose) and writable paths."),
    NOT_COVERED("not-covered", "Workload Rootlock does not harden",
        "A workload of a kind plan does not harden, or one a controller makes: harden it by hand or its owner."),
    CONFLICT("conflict", "Several enforcing policies select one workload",
        "Only one policy owns a workload; narrow the selectors so that one selects it."),
    NOTHING_SELECTED("nothing-selected", "Policy selects no workload",
        "No policy selects any workload read: a selector or namespace that matches nothing."),
    MEMORY_RISK("memory-risk", "Memory-backed volumes could use too much memory",
        "Files in a memory-backed emptyDir count against the container's memory limit."),
    READ_ONLY_MOUNT("read-only-mount", "Declared writable path is a read-only mount",
        "A configMap, secret or readOnly mount stays read-only: the app still cannot write there."),
    EXEMPT_CONTAINER("exempt-container", "Exempt container keeps a writable root",
        "spec.excludeContainers or spec.excludeImages leaves this container writable.");

    final String id;
    final String title;
    final String help;

    Rule(String id, String title, String help) {
      this.id = id;
      this.title = title;
      this.help = help;
    }

    static Rule of(PlanWarning.Type t) {
      return switch (t) {
        case MemoryRisk -> MEMORY_RISK;
        case ReadOnlyMount -> READ_ONLY_MOUNT;
        case ExemptContainer -> EXEMPT_CONTAINER;
      };
    }
  }

  private SarifOutput() {}

  static void write(Plan plan, PlanGate gate, PrintStream out) {
    JsonOutput.print(tree(plan, gate), out);
  }

  static ObjectNode tree(Plan plan, PlanGate gate) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "rootlock plan");
    ArrayNode rules = driver.putArray("rules");
    for (Rule r : Rule.values()) {
      ObjectNode rule = rules.addObject().put("id", r.id);
      rule.putObject("shortDescription").put("text", r.title);
      rule.putObject("fullDescription").put("text", r.help);
    }
    ArrayNode results = run.putArray("results");
    for (WorkloadPlan w : plan.workloads()) {
      String what = w.kind() + " " + w.qualifiedName();
      if (w.state().equals(WorkloadState.NonCompliant.name())) { // an Audit policy's too, which fails no gate
        add(results, Rule.NOT_HARDENED, w.changes() || w.isSkipped(), what
            + (w.policy() == null ? "" : " (policy " + w.policy() + ")") + ": " + w.summary(), w.doc().source(),
            w.line());
      } else if (w.isNotCovered()) {
        add(results, Rule.NOT_COVERED, fails(gate, PlanGate.Condition.NOT_COVERED), what + ": " + w.summary(),
            w.doc().source(), w.line());
      } else if (w.isConflict()) {
        add(results, Rule.CONFLICT, fails(gate, PlanGate.Condition.CONFLICT), what + ": policy " + w.policy()
            + " also selects it; " + w.summary(), w.doc().source(), w.line());
      }
      for (PlanWarning pw : w.warnings()) {
        add(results, Rule.of(pw.type()), fails(gate, PlanGate.Condition.WARNINGS), what + ": " + pw.message(),
            w.doc().source(), w.line());
      }
    }
    List<PlanGate.Held> nothing = gate.held().stream()
        .filter(h -> h.condition() == PlanGate.Condition.NOTHING_SELECTED).toList();
    for (PlanGate.Held h : nothing) {
      for (Plan.PolicyUse u : plan.policies()) {
        if (u.policy().doc() != null) {
          add(results, Rule.NOTHING_SELECTED, fails(gate, PlanGate.Condition.NOTHING_SELECTED), h.message(),
              u.policy().doc().source(), u.policy().doc().line());
        }
      }
    }
    return root;
  }

  private static boolean fails(PlanGate gate, PlanGate.Condition c) {
    return gate.failOn().contains(c);
  }

  private static void add(ArrayNode results, Rule rule, boolean error, String message, String source, int line) {
    ObjectNode r = results.addObject();
    r.put("ruleId", rule.id);
    r.put("ruleIndex", rule.ordinal());
    r.put("level", error ? "error" : "warning");
    r.putObject("message").put("text", message);
    ObjectNode location = r.putArray("locations").addObject().putObject("physicalLocation");
    location.putObject("artifactLocation").put("uri", FilePaths.uri(source));
    location.putObject("region").put("startLine", Math.max(1, line));
  }
}
