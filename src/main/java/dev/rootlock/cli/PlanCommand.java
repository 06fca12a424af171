package dev.rootlock.cli;

import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.Plan;
import dev.rootlock.plan.PlanFormat;
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
        "0:nothing needs to change",
        "1:something would change (use as a CI gate)",
        "2:bad input: file:line and the reason on stderr"})
public final class PlanCommand implements Callable<Integer> {
  public static final int NO_CHANGES = 0;
  public static final int CHANGES = 1;
  public static final int BAD_INPUT = 2;

  @Option(names = "--policy", required = true, paramLabel = "POLICY.yaml",
      description = "File with one or more ReadOnlyPolicy documents.")
  Path policy;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "yaml",
      description = "yaml (default): every document, hardened where selected; diff: a unified diff per "
          + "changed workload; kustomize: JSON 6902 patches and a kustomization.yaml fragment in --out "
          + "(Kubernetes manifests only); "
          + "report: a table of every workload and its state.")
  PlanFormat format;

  @Option(names = "--out", paramLabel = "DIR", description = "Directory for --format kustomize.")
  Path out;

  @Option(names = "--image-volumes", negatable = true, defaultValue = "false",
      description = "The target cluster serves image volumes (Kubernetes 1.35+): spec.seed.method Auto then "
          + "means ImageVolume, as the operator there decides. Default: Copy.")
  boolean imageVolumes;

  @Option(names = "--seed-image", paramLabel = "IMAGE", defaultValue = SeedPlatform.DEFAULT_COPIER_IMAGE,
      description = "Image that copies seeded paths out of an image volume; the operator's --seed-image.")
  String seedImage;

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "Manifest or Docker Compose files or directories (*.yaml, *.yml, recursively); "
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
      if (format == PlanFormat.kustomize && out == null) {
        throw new PlanInputException("--out", 0, "--format kustomize writes files and needs --out DIR");
      }
      ManifestReader reader = new ManifestReader(stdin);
      List<PlanPolicy> policies = PlanPolicy.load(reader.read(policy));
      List<SourceDocument> docs = new ArrayList<>();
      for (Path file : reader.expand(paths)) {
        docs.addAll(reader.read(file));
      }
      if (format == PlanFormat.kustomize) {
        PlanFormat.requireKubernetes(docs);
      }
      Plan plan = new Planner(policies, new SeedPlatform(imageVolumes, seedImage)).plan(docs);
      format.write(plan, stdout, out);
      stdout.flush();
      if (format != PlanFormat.report) {
        // The report lists them; the other formats must not pass over a workload in silence.
        plan.notCovered().forEach(w -> stderr.println("rootlock plan: warning: " + w.location() + ": " + w.kind()
            + " " + w.qualifiedName() + " not covered: " + w.summary()));
      }
      return plan.hasChanges() ? CHANGES : NO_CHANGES;
    } catch (PlanInputException e) {
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
}
