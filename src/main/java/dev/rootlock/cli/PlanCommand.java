package dev.rootlock.cli;

import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.Messages;
import dev.rootlock.plan.Plan;
import dev.rootlock.plan.PlanFormat;
import dev.rootlock.plan.PlanGate;
import dev.rootlock.plan.PlanInputException;
import dev.rootlock.plan.PlanPolicy;
import dev.rootlock.plan.Planner;
import dev.rootlock.plan.SourceDocument;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Hardens manifests offline, with the operator's own engine; a CI gate by its exit code. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Harden manifests before they reach the cluster, with the operator's engine and rules.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:nothing needs to change, and no --fail-on condition holds",
        "1:something would change (with --write: was changed), or a --fail-on condition holds: a CI gate",
        "2:bad input, or nothing to plan: file:line and the reason on stderr"})
public final class PlanCommand implements Callable<Integer> {
  public static final int NO_CHANGES = PlanGate.PASS;
  public static final int CHANGES = PlanGate.FAIL;
  public static final int BAD_INPUT = 2;

  @Option(names = "--policy", required = true, paramLabel = "POLICY.yaml",
      description = "File with one or more ReadOnlyPolicy documents.")
  Path policy;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "yaml (default): the file as it would be, only the hardened lines changed (several files: one "
          + "stream of manifests, each after a # Source: comment); diff: a unified diff of each changed file, for "
          + "git apply or patch -p1; kustomize: JSON 6902 patches and a kustomization.yaml fragment in --out; "
          + "report: a table of every workload and its state; json: the plan as JSON (docs/plan.md#json); "
          + "sarif: SARIF 2.1.0 for code scanning. With --write the default is report.")
  PlanFormat format;

  @Option(names = "--write", description = "Harden each changed file in place, changing only the lines hardening "
      + "needs (comments, anchors, key order and quoting kept).")
  boolean write;

  @Option(names = "--fail-on", split = ",", paramLabel = "CONDITION",
      description = "Also exit 1 when one of these holds: nothing-selected (no policy selects any workload read), "
          + "not-covered, conflict, warnings; none for no condition (default: nothing-selected,conflict).")
  List<String> failOn;

  @Option(names = "--out", paramLabel = "DIR", description = "Directory for --format kustomize (only).")
  Path out;

  @Option(names = "--image-volumes", negatable = true, defaultValue = "false",
      description = "The target cluster serves image volumes (Kubernetes 1.35+): spec.seed.method Auto then "
          + "means ImageVolume, as the operator there decides. Default: Copy.")
  boolean imageVolumes;

  @Option(names = "--seed-image", paramLabel = "IMAGE", defaultValue = SeedPlatform.DEFAULT_COPIER_IMAGE,
      description = "Image that copies seeded paths out of an image volume; the operator's --seed-image.")
  String seedImage;

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "Manifest or Docker Compose files, or directories (*.yaml, *.yml, *.json, recursively); "
          + "- reads stdin. Deployments, StatefulSets, DaemonSets, CronJobs, Jobs and Pods are hardened; "
          + "another kind with a pod spec is listed as not covered.")
  List<String> paths;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  public PlanCommand() {
    this(System.in, System.out, System.err);
  }

  public PlanCommand(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() {
    try {
      PlanFormat f = format();
      ManifestReader reader = new ManifestReader(stdin);
      List<PlanPolicy> policies = PlanPolicy.load(reader.read(policy));
      List<Path> files = reader.expand(paths);
      List<SourceDocument> docs = new ArrayList<>();
      for (Path file : files) {
        docs.addAll(reader.read(file));
      }
      if (docs.stream().allMatch(d -> d.node() == null)) {
        throw new PlanInputException(String.join(" ", paths), 0, "nothing to plan: " + (files.isEmpty()
            ? "no *.yaml, *.yml or *.json file found" : "the " + files.size() + " file(s) read hold no document"));
      }
      f.check(docs);
      Plan plan = new Planner(policies, new SeedPlatform(imageVolumes, seedImage)).plan(docs);
      PlanGate gate = new PlanGate(plan, failOn == null ? PlanGate.DEFAULT : PlanGate.parse(failOn));
      List<String> notes = new ArrayList<>();
      if (write) {
        PlanFormat.writeInPlace(plan).forEach(w -> notes.add("wrote " + w));
      }
      notes.addAll(f.write(plan, gate, stdout, out));
      stdout.flush();
      if (!f.saysEverything()) {
        Messages.forStderr(plan, gate).forEach(m -> stderr.println("rootlock plan: " + m));
      }
      notes.forEach(m -> stderr.println("rootlock plan: " + m));
      return gate.exitCode();
    } catch (PlanInputException e) {
      stderr.println("rootlock plan: " + e.getMessage());
      return BAD_INPUT;
    } catch (IllegalArgumentException e) {
      stderr.println("rootlock plan: " + e.getMessage());
      return BAD_INPUT;
    } catch (IOException | java.io.UncheckedIOException e) {
      stderr.println("rootlock plan: cannot read or write: " + e.getMessage());
      return BAD_INPUT;
    } catch (RuntimeException e) {
      // never a stack trace, and never exit 1 ("changes needed") for a failure
      stderr.println("rootlock plan: cannot plan this input: " + e);
      return BAD_INPUT;
    }
  }

  /** The format, after refusing options that do not go together. */
  private PlanFormat format() throws PlanInputException {
    PlanFormat f = format != null ? format : write ? PlanFormat.report : PlanFormat.yaml;
    if (f == PlanFormat.kustomize && out == null) {
      throw new PlanInputException("--out", 0, "--format kustomize writes files and needs --out DIR");
    }
    if (f != PlanFormat.kustomize && out != null) {
      throw new PlanInputException("--out", 0, "only --format kustomize writes to --out; --format " + f
          + " prints on stdout (drop --out, or use --format kustomize)");
    }
    if (write && (f == PlanFormat.yaml || f == PlanFormat.kustomize)) {
      throw new PlanInputException("--write", 0, "--write changes the files themselves; it goes with --format "
          + "report (the default), diff, json or sarif, not " + f);
    }
    if (write && paths.contains(ManifestReader.STDIN)) {
      throw new PlanInputException("--write", 0, "cannot write stdin in place; name the files");
    }
    return f;
  }
}
