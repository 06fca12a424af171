package dev.rootlock.cli;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.SpecError;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.PlanInputException;
import dev.rootlock.plan.PlanPolicy;
import dev.rootlock.probe.CliEngine;
import dev.rootlock.probe.ContainerEngine.EngineException;
import dev.rootlock.probe.ProbeFormat;
import dev.rootlock.probe.ProbeRequest;
import dev.rootlock.probe.ProbeResult;
import dev.rootlock.probe.Prober;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Learns the writable paths an image needs by running it read-only under Docker or Podman. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run an image with a read-only root filesystem under Docker or Podman, learn from its output "
        + "which directories it must write, and run it again with a tmpfs there, until it runs.",
        "Only the code paths that ran are seen: use --http-check and --exec-check to exercise more."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the image runs read-only with the paths printed",
        "1:it cannot get there: an unsafe directory, a failure that names no path, or out of tries",
        "2:bad input, or no usable container engine"})
public final class ProbeCommand implements Callable<Integer> {
  public static final int RUNS = 0;
  public static final int CANNOT = 1;
  public static final int BAD_INPUT = 2;
  private static final Pattern ENV = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);
  private static final Pattern LABEL_KEY = Pattern.compile(
      "([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

  @Option(names = "--engine", paramLabel = "ENGINE", description = "docker or podman (default: $ROOTLOCK_ENGINE, "
      + "else Docker when its daemon answers, else Podman).")
  String engine;

  @Option(names = "--policy", paramLabel = "POLICY.yaml",
      description = "Start from this ReadOnlyPolicy's tmpPaths, cachePaths and sizeLimit.")
  Path policy;

  @Option(names = "--tmp-path", paramLabel = "PATH", description = "Writable from the first run, as tmpPaths.")
  List<String> tmpPaths = new ArrayList<>();

  @Option(names = "--cache-path", paramLabel = "PATH", description = "Writable from the first run, as cachePaths.")
  List<String> cachePaths = new ArrayList<>();

  @Option(names = "--size-limit", paramLabel = "QUANTITY",
      description = "Size of every tmpfs (default: the policy's sizeLimit, else 64Mi).")
  String sizeLimit;

  @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long the container must keep running to count as started (default: 10s).")
  Duration settle;

  @Option(names = "--tries", paramLabel = "N", defaultValue = "8", description = "At most this many runs (default: 8).")
  int tries;

  @Option(names = "--http-check", paramLabel = "PORT[/PATH]",
      description = "Once settled, GET this container port (published on 127.0.0.1); must answer 2xx or 3xx.")
  String httpCheck;

  @Option(names = "--exec-check", paramLabel = "CMD",
      description = "Once settled, run sh -c CMD in the container; must exit 0. Its output is diagnosed too.")
  String execCheck;

  @Option(names = "-e", paramLabel = "NAME=VALUE", description = "Environment for the container.")
  List<String> env = new ArrayList<>();

  @Option(names = "-u", paramLabel = "USER", description = "Run as this user (the image's otherwise).")
  String user;

  @Option(names = "--engine-arg", paramLabel = "ARG",
      description = "Global engine flag, placed before the subcommand (for example --engine-arg=--runtime=runc).")
  List<String> engineArgs = new ArrayList<>();

  @Option(names = "--name", paramLabel = "NAME",
      description = "Workload, service and container name in compose, policy and kustomize output "
          + "(default: from the image).")
  String name;

  @Option(names = "--selector", paramLabel = "KEY=VALUE[,KEY=VALUE]",
      description = "Labels the printed policy selects (and the Compose service carries); default: app=NAME.")
  String selector;

  @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing",
      description = "missing (default): pull the image when the engine does not have it; never: refuse instead.")
  String pull;

  @Option(names = "--discover", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "On by default: run once with a writable root first and take every directory the engine's "
      + "diff shows it wrote (writes that never fail loudly too), then confirm read-only. --no-discover: learn "
      + "from crash output alone (the app is never run with a writable root).")
  boolean discover;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "report",
      description = "report (default), flags (docker/podman run flags), compose (the service as probed: command, "
          + "user, environment, read_only, tmpfs), policy (a ReadOnlyPolicy), kustomize (a Deployment patch). "
          + "When the probe fails, the report is printed instead.")
  ProbeFormat format;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to run, as the engine names it.")
  String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "After --: the command and its arguments "
      + "(the image's own when absent).")
  List<String> command = new ArrayList<>();

  private final PrintStream stdout;
  private final PrintStream stderr;

  public ProbeCommand() {
    this(System.out, System.err);
  }

  public ProbeCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() {
    ProbeRequest request;
    ReadOnlyPolicy from;
    try {
      from = policy == null ? null : loadPolicy(policy);
      request = request(from);
    } catch (IllegalArgumentException | PlanInputException e) {
      stderr.println("rootlock probe: " + e.getMessage());
      return BAD_INPUT;
    }
    String requested = engine != null ? engine : System.getenv("ROOTLOCK_ENGINE");
    try {
      if (requested != null && !requested.equals("docker") && !requested.equals("podman")) {
        throw new IllegalArgumentException("--engine: '" + requested + "' is neither docker nor podman");
      }
      CliEngine e = CliEngine.choose(requested, engineArgs);
      stderr.println("probing " + image + " with " + e.name() + ": read-only root, " + request.paths().size()
          + " writable path(s) to start, settle " + DurationText.of(settle) + ", at most " + tries + " runs");
      ProbeResult result = new Prober(e, stderr::println, Prober.HttpProbe.DEFAULT).probe(request);
      // a failed probe has no paths to paste: the report says why, whatever the format
      (result.succeeded() ? format : ProbeFormat.report).write(result, new ProbeFormat.Service(
          name != null ? name : nameFrom(image), command, env, user, labels()), from, stdout);
      stdout.flush();
      if (!result.succeeded()) {
        stderr.println("rootlock probe: cannot run " + image + " read-only: " + result.reason());
        return CANNOT;
      }
      return RUNS;
    } catch (IllegalArgumentException e) {
      stderr.println("rootlock probe: " + e.getMessage());
      return BAD_INPUT;
    } catch (EngineException e) {
      stderr.println("rootlock probe: " + e.getMessage());
      return BAD_INPUT;
    }
  }

  private ProbeRequest request(ReadOnlyPolicy from) {
    if (tries < 1) {
      throw new IllegalArgumentException("--tries must be at least 1, not " + tries);
    }
    if (settle.isZero() || settle.isNegative()) {
      throw new IllegalArgumentException("--settle must be longer than zero");
    }
    for (String e : env) {
      if (!ENV.matcher(e).matches()) {
        throw new IllegalArgumentException("-e '" + e + "' is not NAME=VALUE");
      }
    }
    if (name != null && !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new IllegalArgumentException("--name '" + name + "' is not a DNS label (lowercase letters, digits, -)");
    }
    if (!pull.equals("missing") && !pull.equals("never")) {
      throw new IllegalArgumentException("--pull: '" + pull + "' is neither missing nor never");
    }
    labels(); // refused here, before any container runs
    ReadOnlyPolicySpec spec = new ReadOnlyPolicySpec();
    ReadOnlyPolicySpec base = from == null ? new ReadOnlyPolicySpec() : from.getSpec();
    List<String> tmp = new ArrayList<>(base == null || base.getTmpPaths() == null
        ? (from == null ? List.of() : PolicyRules.DEFAULT_TMP_PATHS) : base.getTmpPaths());
    int fromPolicyTmp = tmp.size();
    tmp.addAll(tmpPaths);
    List<String> cache = new ArrayList<>(base == null || base.getCachePaths() == null ? List.of()
        : base.getCachePaths());
    int fromPolicyCache = cache.size();
    cache.addAll(cachePaths);
    spec.setTmpPaths(tmp);
    spec.setCachePaths(cache);
    spec.setSeedPaths(base == null ? null : base.getSeedPaths());
    spec.setSizeLimit(sizeLimit != null ? sizeLimit : base == null ? null : base.getSizeLimit());
    PolicyRules.Validation v = PolicyRules.from(spec);
    if (!v.isValid()) {
      throw new IllegalArgumentException(String.join("; ", v.errors().stream()
          .map(err -> option(err, fromPolicyTmp, fromPolicyCache)).toList()));
    }
    return new ProbeRequest(image, command, env, user, v.rules().allPaths(), v.rules().sizeLimit(), settle, tries,
        httpCheck == null ? null : ProbeRequest.HttpCheck.parse(httpCheck), execCheck, pull.equals("missing"),
        discover);
  }

  /** --selector as labels, in order; empty without it. */
  private Map<String, String> labels() {
    Map<String, String> out = new LinkedHashMap<>();
    if (selector == null) {
      return out;
    }
    for (String pair : selector.split(",", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? "" : pair.substring(0, eq).strip();
      String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
      if (!LABEL_KEY.matcher(key).matches() || !LABEL_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("--selector: '" + pair + "' is not KEY=VALUE with a label key and "
            + "value (letters, digits, '-', '_', '.'; a key may have a DNS prefix/), for example app=web");
      }
      out.put(key, value);
    }
    return out;
  }

  /** A spec error in the words of the command line: "--tmp-path tmp: ..." rather than spec.tmpPaths[0]. */
  private String option(SpecError e, int fromPolicyTmp, int fromPolicyCache) {
    String field = e.field();
    for (String[] f : new String[][] {{"spec.tmpPaths[", "--tmp-path"}, {"spec.cachePaths[", "--cache-path"}}) {
      if (field.startsWith(f[0])) {
        int i = Integer.parseInt(field.substring(f[0].length(), field.length() - 1));
        int offset = f[1].equals("--tmp-path") ? fromPolicyTmp : fromPolicyCache;
        return i < offset ? policy + ": " + e : f[1] + " " + (f[1].equals("--tmp-path")
            ? tmpPaths.get(i - offset) : cachePaths.get(i - offset)) + ": " + e.message();
      }
    }
    return field.equals("spec.sizeLimit") ? "--size-limit: " + e.message() : e.toString();
  }

  private static ReadOnlyPolicy loadPolicy(Path file) throws PlanInputException {
    List<PlanPolicy> policies = PlanPolicy.load(new ManifestReader(System.in).read(file));
    if (policies.size() > 1) {
      throw new PlanInputException(file.toString(), 0, "holds " + policies.size()
          + " ReadOnlyPolicy documents; probe starts from one");
    }
    PlanPolicy p = policies.get(0);
    // plan puts a policy without a namespace in default; the policy printed back keeps the file's own
    if (p.doc() != null && p.doc().node().path("metadata").path("namespace").isMissingNode()) {
      p.policy().getMetadata().setNamespace(null);
    }
    return p.policy();
  }

  /** "nginx" from "docker.io/library/nginx:1.27@sha256:...", as a DNS label. */
  public static String nameFrom(String image) {
    String s = image;
    int at = s.indexOf('@');
    s = at < 0 ? s : s.substring(0, at);
    s = s.substring(s.lastIndexOf('/') + 1);
    int colon = s.indexOf(':');
    s = colon < 0 ? s : s.substring(0, colon);
    s = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
    return s.isEmpty() ? "app" : s.length() > 63 ? s.substring(0, 63).replaceAll("-+$", "") : s;
  }

  /** 10s, 2m, 1m30s. */
  static final class DurationText {
    static String of(Duration d) {
      long s = d.toSeconds();
      return s >= 60 ? (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s") : d.toMillis() % 1000 == 0 ? s + "s"
          : d.toMillis() + "ms";
    }
  }
}
