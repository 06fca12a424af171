package dev.rootlock.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code --format json}: the whole plan as one JSON object, schema {@value #API_VERSION}
 * (docs/plan.md#json). Fields are only ever added to this version, never renamed or removed.
 */
final class JsonOutput {
  static final String API_VERSION = "rootlock.dev/plan/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonOutput() {}

  static void write(Plan plan, PlanGate gate, PrintStream out) {
    print(tree(plan, gate), out);
  }

  /** {@code tree} indented, as json and sarif print it. */
  static void print(JsonNode tree, PrintStream out) {
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  static ObjectNode tree(Plan plan, PlanGate gate) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("apiVersion", API_VERSION);
    root.put("exitCode", gate.exitCode());
    ArrayNode failOn = root.putArray("failOn");
    gate.failOn().forEach(c -> failOn.add(c.flag()));
    ArrayNode conditions = root.putArray("conditions");
    for (PlanGate.Held h : gate.held()) {
      conditions.addObject().put("condition", h.condition().flag())
          .put("failsGate", gate.failOn().contains(h.condition())).put("message", h.message());
    }
    List<WorkloadPlan> workloads = plan.workloads();
    ObjectNode summary = root.putObject("summary");
    summary.put("files", plan.files().size());
    summary.put("documents", plan.documents().stream().filter(d -> d.doc().node() != null).count());
    summary.put("workloads", workloads.size());
    summary.put("changes", plan.changes().size());
    summary.put("notSelected", workloads.stream().filter(WorkloadPlan::isNotSelected).count());
    summary.put("notCovered", plan.notCovered().size());
    summary.put("conflicts", workloads.stream().filter(WorkloadPlan::isConflict).count());
    summary.put("skipped", workloads.stream().filter(WorkloadPlan::isSkipped).count());
    summary.put("warnings", workloads.stream().mapToLong(w -> w.warnings().size()).sum());
    ArrayNode policies = root.putArray("policies");
    for (Plan.PolicyUse u : plan.policies()) {
      ObjectNode p = policies.addObject();
      p.put("namespace", u.policy().namespace());
      p.put("name", u.policy().name());
      if (u.policy().doc() != null) {
        p.put("file", FilePaths.relative(u.policy().doc().source()));
        p.put("line", u.policy().doc().line());
      }
      p.put("mode", u.policy().rules().mode().name());
      p.put("selected", u.selected());
    }
    ArrayNode files = root.putArray("files");
    for (Plan.FilePlan f : plan.files()) {
      ObjectNode file = files.addObject().put("path", FilePaths.relative(f.source())).put("changed", f.changed());
      f.documents().stream().filter(d -> d.rewritten() != null).findFirst()
          .ifPresent(d -> file.put("rewritten", d.rewritten()));
    }
    ArrayNode rows = root.putArray("workloads");
    for (WorkloadPlan w : workloads) {
      ObjectNode row = rows.addObject();
      row.put("file", FilePaths.relative(w.doc().source()));
      row.put("line", w.line());
      row.put("kind", w.kind());
      row.put("namespace", w.namespace());
      row.put("name", w.name());
      row.put("policy", w.policy());
      row.put("state", w.state());
      row.put("changes", w.changes());
      row.put("summary", w.summary());
      ArrayNode warnings = row.putArray("warnings");
      for (PlanWarning pw : w.warnings()) {
        warnings.addObject().put("type", pw.type().name()).put("container", pw.container()).put("path", pw.path())
            .put("message", pw.message());
      }
      row.set("patch", w.ops());
    }
    return root;
  }
}
