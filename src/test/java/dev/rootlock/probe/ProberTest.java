package dev.rootlock.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.diagnosis.ImageDirectory;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.probe.ContainerEngine.ExecResult;
import dev.rootlock.probe.ContainerEngine.ImageConfig;
import dev.rootlock.probe.EngineStandIn.Behaviour;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe loop against a scripted engine: what it learns, when it stops, and that it always cleans up. */
class ProberTest {
  static final String NGINX_BODY =
      "2026/11/29 13:11:30 [emerg] 1#1: mkdir() \"/var/lib/nginx/body\" failed (30: Read-only file system)";
  static final String NGINX_LOG =
      "2026/11/29 13:11:31 [emerg] 1#1: open() \"/var/log/nginx/error.log\" failed (30: Read-only file system)";

  final List<String> progress = new ArrayList<>();

  ProbeRequest request(String... extra) {
    return request(List.of(), null, null, extra);
  }

  ProbeRequest request(List<WritablePath> paths, ProbeRequest.HttpCheck http, String exec, String... env) {
    return new ProbeRequest("app:1", List.of(), List.of(env), null, paths, new Quantity("64Mi"),
        Duration.ofMillis(30), 8, http, exec);
  }

  /** An app that fails on each directory in turn until all are on a tmpfs, then keeps running. */
  static EngineStandIn app(Map<String, String> needs) {
    return new EngineStandIn(spec -> {
      for (var e : needs.entrySet()) {
        if (spec.tmpfs().keySet().stream().noneMatch(m -> e.getKey().equals(m) || e.getKey().startsWith(m + "/"))) {
          return Behaviour.exits(1, "starting\n" + e.getValue());
        }
      }
      return Behaviour.runs("ready");
    });
  }

  ProbeResult probe(EngineStandIn engine, ProbeRequest r) {
    return new Prober(engine, progress::add, url -> 200).probe(r);
  }

  @Test
  void learnsOneDirectoryPerFailedRunUntilTheAppRuns() {
    Map<String, String> needs = new LinkedHashMap<>();
    needs.put("/var/lib/nginx", NGINX_BODY);
    needs.put("/var/log/nginx", NGINX_LOG);
    EngineStandIn engine = app(needs);

    ProbeResult r = probe(engine, request());

    assertThat(r.succeeded()).isTrue();
    assertThat(r.learned()).extracting(l -> l.path().path()).containsExactly("/var/lib/nginx", "/var/log/nginx");
    assertThat(r.learned()).extracting(ProbeResult.Learned::run).containsExactly(1, 2);
    assertThat(r.learned().get(0).line()).isEqualTo(NGINX_BODY);
    assertThat(engine.runs).hasSize(3);
    assertThat(engine.runs.get(2).tmpfs()).containsOnlyKeys("/var/lib/nginx", "/var/log/nginx")
        .containsEntry("/var/lib/nginx", "rw,size=64m,mode=1777");
    assertThat(engine.runs).allMatch(s -> s.publish() == null, "no network without an HTTP check");
    assertThat(engine.removed).containsExactly("c1", "c2", "c3");
    assertThat(engine.removedLooks).as("the container that looked into the image too").containsExactly("look1");
    assertThat(progress).contains("  learned /var/lib/nginx (cachePaths) from: " + NGINX_BODY);
  }

  @Test
  void everySafeDirectoryOfOneRunIsLearnedAtOnce() {
    EngineStandIn engine = app(Map.of("/var/lib/nginx", NGINX_BODY + "\n" + NGINX_LOG));
    ProbeResult r = probe(engine, request());
    assertThat(r.learned()).extracting(l -> l.path().path()).containsExactly("/var/lib/nginx", "/var/log/nginx");
    assertThat(engine.runs).hasSize(2);
  }

  @Test
  void declaredPathsAreWritableFromTheFirstRunAndNotLearnedAgain() {
    EngineStandIn engine = app(Map.of("/var/lib/nginx", NGINX_BODY));
    ProbeResult r = probe(engine, request(List.of(new WritablePath("/var/lib", WritablePath.Kind.CACHE)), null, null));
    assertThat(r.succeeded()).isTrue();
    assertThat(engine.runs).hasSize(1);
    assertThat(r.learned()).isEmpty();
    assertThat(r.paths()).extracting(WritablePath::path).containsExactly("/var/lib");
  }

  @Test
  void stopsWithTheUnsafeDirectoryNamedInsteadOfMountingOverTheImagesFiles() {
    var engine = new EngineStandIn(spec -> Behaviour.exits(2,
        "/bin/sh: 1: cannot create /etc/app.conf: Read-only file system"));
    ProbeResult r = probe(engine, request());
    assertThat(r.succeeded()).isFalse();
    assertThat(r.reason()).isEqualTo("the app failed writing /etc/app.conf (read-only file system); an emptyDir "
        + "at /etc would hide the image's files, so it is not added: configure the app to write elsewhere");
    assertThat(engine.runs).hasSize(1);
    assertThat(engine.removed).containsExactly("c1");
  }

  @Test
  void stopsWhenTheFailureNamesNoPath() {
    var engine = new EngineStandIn(spec -> Behaviour.exits(134, "Failed to create CoreCLR, HRESULT: 0x8007000E"));
    ProbeResult r = probe(engine, request());
    assertThat(r.reason()).contains("DOTNET_EnableDiagnostics=0");
  }

  @Test
  void anExitThatIsNotAboutTheFilesystemIsComparedWithAWritableRunBeforeBlamingTheReadOnlyRoot() {
    EngineStandIn engine = new EngineStandIn(spec -> Behaviour.exits(1, "loading config\npanic: missing DATABASE_URL"));
    ProbeResult r = probe(engine, request());
    assertThat(engine.runs).extracting(ContainerEngine.RunSpec::readOnly).containsExactly(true, false);
    assertThat(r.reason()).isEqualTo("it fails with a writable root filesystem too (the last run exited with code 1 "
        + "after 0.0 s), so the failure is not about the read-only root: check the image, its command, -e and -u; "
        + "last lines: loading config | panic: missing DATABASE_URL");
    assertThat(r.runs()).extracting(ProbeResult.Run::outcome).last().asString()
        .startsWith("with a writable root, for comparison: exited with code 1");
    assertThat(engine.removed).containsExactly("c1", "c2");
  }

  @Test
  void anExitOnlyTheReadOnlyRootCausesStillSaysItsOutputNamesNoPath() {
    EngineStandIn engine = new EngineStandIn(spec -> spec.readOnly() ? Behaviour.exits(1, "cannot start: error 30")
        : Behaviour.runs("ok"));
    ProbeResult r = probe(engine, request());
    assertThat(r.reason()).isEqualTo("the last run exited with code 1 after 0.0 s, and its output names no "
        + "read-only-filesystem failure; last lines: cannot start: error 30");
    assertThat(r.runs()).hasSize(2);
  }

  @Test
  void aMissingImageIsPulledFirstOrRefusedWithHowToPullIt() {
    EngineStandIn engine = new EngineStandIn(spec -> Behaviour.exits(0, "done"));
    engine.images = new java.util.HashSet<>();
    assertThat(probe(engine, request()).succeeded()).isTrue();
    assertThat(engine.pulled).containsExactly("app:1");
    assertThat(progress).contains("pulling app:1 (podman does not have it)");

    EngineStandIn never = new EngineStandIn(spec -> Behaviour.exits(0, "done"));
    never.images = new java.util.HashSet<>();
    ProbeRequest r = new ProbeRequest("app:1", List.of(), List.of(), null, List.of(), new Quantity("64Mi"),
        Duration.ofMillis(10), 3, null, null, false);
    assertThatThrownBy(() -> probe(never, r)).isInstanceOf(ContainerEngine.EngineException.class)
        .hasMessage("podman does not have the image app:1 and --pull never forbids pulling it: run podman pull app:1 "
            + "first, or drop --pull never");
    assertThat(never.runs).isEmpty();
  }

  @Test
  void aPassingCheckEndsTheWaitWithoutSittingOutTheSettleTime() {
    EngineStandIn engine = new EngineStandIn(spec -> Behaviour.runs("ready"));
    ProbeRequest r = new ProbeRequest("app:1", List.of(), List.of(), null, List.of(), new Quantity("64Mi"),
        Duration.ofSeconds(30), 3, ProbeRequest.HttpCheck.parse("8080/"), null);
    long start = System.nanoTime();
    ProbeResult result = probe(engine, r);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(result.succeeded()).isTrue();
    assertThat(result.runs().get(0).outcome()).matches("running after 0\\.\\d s; HTTP check :8080/ answered 200");
  }

  @Test
  void aContainerThatExitsWhileItsHttpCheckIsPolledIsDiagnosedNotAnEngineError() {
    Map<String, String> needs = new LinkedHashMap<>();
    needs.put("/var/lib/nginx", NGINX_BODY);
    EngineStandIn engine = app(needs);
    engine.exitsJustAfterStart = true;

    ProbeResult r = probe(engine, request(List.of(), ProbeRequest.HttpCheck.parse("80/"), null));

    assertThat(r.succeeded()).as(r.reason()).isTrue();
    assertThat(r.learned()).extracting(l -> l.path().path()).containsExactly("/var/lib/nginx");
    assertThat(r.runs().get(0).outcome()).startsWith("exited with code 1");
  }

  @Test
  void aDirectoryTheImageDeclaresAsVolumeIsSaidToHoldDataThatShouldPersist() {
    EngineStandIn engine = new EngineStandIn(new ImageConfig("/", List.of(), List.of("/var/lib/nginx")), spec ->
        spec.tmpfs().containsKey("/var/lib/nginx") ? Behaviour.runs("ok") : Behaviour.exits(1, NGINX_BODY));
    ProbeResult r = probe(engine, request());
    assertThat(r.succeeded()).isTrue();
    assertThat(r.warnings()).containsExactly("/var/lib/nginx is a VOLUME the image declares (/var/lib/nginx): it "
        + "holds data that should persist, and a tmpfs loses it at every restart; mount a volume there instead "
        + "(Compose: volumes:, Kubernetes: a PersistentVolumeClaim or a StatefulSet's volumeClaimTemplates)");
    assertThat(ProbeFormat.report(r)).contains("warning: /var/lib/nginx is a VOLUME the image declares");
  }

  @Test
  void givesUpAfterTheTriesItWasGiven() {
    var engine = new EngineStandIn(spec -> Behaviour.exits(1, "mkdir /var/cache/a" + spec.tmpfs().size()
        + "/x: read-only file system"));
    ProbeRequest r = new ProbeRequest("app:1", List.of(), List.of(), null, List.of(), new Quantity("64Mi"),
        Duration.ofMillis(10), 3, null, null);
    ProbeResult result = probe(engine, r);
    assertThat(engine.runs).hasSize(3);
    assertThat(result.reason()).startsWith("still failing after 3 runs (--tries)");
    assertThat(engine.removed).hasSize(3);
  }

  @Test
  void aDirectoryAlreadyWritableThatStillFailsIsNotAnEndlessLoop() {
    var engine = new EngineStandIn(spec -> Behaviour.exits(1, NGINX_BODY));
    ProbeResult r = probe(engine, request(List.of(new WritablePath("/var/lib/nginx", WritablePath.Kind.CACHE)),
        null, null));
    assertThat(engine.runs).hasSize(1);
    assertThat(r.reason()).contains("although /var/lib/nginx is writable").contains("size limit (64Mi)");
  }

  @Test
  void aJobThatExitsZeroSucceedsButNotWhenChecksCouldNotRun() {
    assertThat(probe(new EngineStandIn(spec -> Behaviour.exits(0, "done")), request()).succeeded()).isTrue();
    ProbeResult withCheck = probe(new EngineStandIn(spec -> Behaviour.exits(0, "done")),
        request(List.of(), null, "true"));
    assertThat(withCheck.reason()).contains("exited with code 0").contains("before the checks could run");
  }

  @Test
  void aFailedExecCheckIsDiagnosedLikeTheLogs() {
    var engine = new EngineStandIn(spec -> Behaviour.runs("Ready to accept connections"));
    engine.execResults.add(new ExecResult(1, "Failed opening the temp RDB file temp-1.rdb (in server root dir "
        + "/var/lib/redis) for saving: Read-only file system"));
    engine.execResults.add(new ExecResult(0, "OK"));
    ProbeResult r = probe(engine, request(List.of(), null, "redis-cli save"));
    assertThat(r.succeeded()).isTrue();
    assertThat(r.learned()).extracting(l -> l.path().path()).containsExactly("/var/lib/redis");
    assertThat(r.runs().get(1).outcome()).contains("exec check 'redis-cli save' passed");
  }

  @Test
  void theHttpCheckPublishesThePortAndMustAnswer() {
    var engine = new EngineStandIn(spec -> Behaviour.runs("ready"));
    ProbeResult r = new Prober(engine, progress::add, url -> url.equals("http://127.0.0.1:40000/healthz") ? 503 : 0)
        .probe(request(List.of(), ProbeRequest.HttpCheck.parse("8080/healthz"), null));
    assertThat(engine.runs.get(0).publish()).isEqualTo(8080);
    assertThat(r.reason()).contains("HTTP check :8080/healthz answered 503");
  }

  @Test
  void anAppThatKeepsRunningAfterAFailedWriteIsRunAgainWithThePathWritable() {
    var engine = new EngineStandIn(spec -> Behaviour.runs(spec.tmpfs().containsKey("/var/cache/app") ? "ok"
        : "WARN could not write cache: open /var/cache/app/index: read-only file system"));
    ProbeResult r = probe(engine, request());
    assertThat(r.succeeded()).isTrue();
    assertThat(engine.runs).hasSize(2);
    assertThat(r.runs().get(0).outcome()).endsWith("but its output names a failed write");
  }

  @Test
  void relativePathsResolveAgainstTheImagesWorkingDirectoryAndTmpdirComesFromTheEnvironment() {
    var engine = new EngineStandIn(new ImageConfig("/srv/app", List.of("TMPDIR=/image-tmp")), spec ->
        !spec.tmpfs().containsKey("/srv/app/tmp/pids") ? Behaviour.exits(1,
            "launcher.rb:259:in `write': Read-only file system @ rb_sysopen - tmp/pids/server.pid (Errno::EROFS)")
        : !spec.tmpfs().containsKey("/scratch") ? Behaviour.exits(2,
            "/run.sh: line 3: cannot create temp file for here-document: Read-only file system")
        : Behaviour.runs("ok"));
    ProbeResult r = probe(engine, request("TMPDIR=/scratch"));
    assertThat(r.learned()).extracting(l -> l.path().path() + " " + l.path().kind().field())
        .containsExactly("/srv/app/tmp/pids cachePaths", "/scratch tmpPaths");
  }

  @Test
  void theContainerIsRemovedWhenReadingItFails() {
    var engine = new EngineStandIn(spec -> Behaviour.exits(1, "x"));
    engine.failLogs = true;
    assertThatThrownBy(() -> probe(engine, request())).isInstanceOf(ContainerEngine.EngineException.class);
    assertThat(engine.removed).containsExactly("c1");
  }

  static final String TOMCAT_LOG = "java.io.FileNotFoundException: /usr/local/tomcat/logs/catalina.2026-12-07.log "
      + "(Read-only file system)";
  static final String APP_STATE = "touch: cannot touch '/srv/shop/state/orders.db': Read-only file system";

  /** An app that fails on {@code dir} until it is writable, as a tmpfs or a seeded volume. */
  static EngineStandIn writesInto(String dir, String failure) {
    return new EngineStandIn(spec -> spec.tmpfs().containsKey(dir) || spec.seeded().contains(dir)
        ? Behaviour.runs("ready") : Behaviour.exits(1, failure));
  }

  @Test
  void aDirectoryEmptyInTheImageIsAPlainPathWhereItsPathAloneSaysSeeded() {
    EngineStandIn looked = writesInto("/usr/local/tomcat/logs", TOMCAT_LOG);
    looked.imageFiles.put("/usr/local/tomcat/logs", ImageDirectory.EMPTY);

    ProbeResult r = probe(looked, request());

    assertThat(r.succeeded()).isTrue();
    assertThat(r.learned()).singleElement().satisfies(l -> {
      assertThat(l.path()).isEqualTo(new WritablePath("/usr/local/tomcat/logs", WritablePath.Kind.CACHE));
      assertThat(l.verdict()).isEqualTo("/usr/local/tomcat/logs: empty in the image: a plain writable path "
          + "(cachePaths)");
    });
    assertThat(looked.runs.get(1).tmpfs()).containsOnlyKeys("/usr/local/tomcat/logs");
    assertThat(progress).contains("  /usr/local/tomcat/logs: empty in the image: a plain writable path (cachePaths)");
    assertThat(looked.created).as("one created container looks into the image").containsExactly("app:1");
    assertThat(looked.removedLooks).as("and it is removed").containsExactly("look1");

    // the same crash judged by its path alone: /usr holds the image's files, so it would be seeded
    EngineStandIn unknown = writesInto("/usr/local/tomcat/logs", TOMCAT_LOG);
    assertThat(probe(unknown, request()).learned()).singleElement()
        .satisfies(l -> assertThat(l.path().kind()).isEqualTo(WritablePath.Kind.SEED));
  }

  @Test
  void aDirectoryThatHoldsFilesInTheImageIsSeededWhereItsPathAloneSaysPlain() {
    EngineStandIn looked = writesInto("/srv/shop/state", APP_STATE);
    looked.imageFiles.put("/srv/shop/state", ImageDirectory.holding(1, 0, false));

    ProbeResult r = probe(looked, request());

    assertThat(r.succeeded()).isTrue();
    assertThat(r.learned()).singleElement().satisfies(l -> {
      assertThat(l.path()).isEqualTo(new WritablePath("/srv/shop/state", WritablePath.Kind.SEED));
      assertThat(l.verdict()).isEqualTo("/srv/shop/state: holds 1 file(s) in the image: seeded");
    });
    assertThat(looked.runs.get(1).seeded()).containsExactly("/srv/shop/state");
    assertThat(looked.runs.get(1).tmpfs()).isEmpty();
    assertThat(ProbeFormat.report(r)).contains("IN THE IMAGE\n/srv/shop/state: holds 1 file(s) in the image: seeded\n");

    EngineStandIn unknown = writesInto("/srv/shop/state", APP_STATE);
    assertThat(probe(unknown, request()).learned()).singleElement()
        .satisfies(l -> assertThat(l.path().kind()).isEqualTo(WritablePath.Kind.CACHE));
  }

  @Test
  void aWholeSystemTreeIsRefusedWhateverTheImageHoldsThere() {
    EngineStandIn engine = writesInto("/etc", "/bin/sh: 1: cannot create /etc/app.conf: Read-only file system");
    engine.imageFiles.put("/etc", ImageDirectory.EMPTY);

    ProbeResult r = probe(engine, request());

    assertThat(r.succeeded()).isFalse();
    assertThat(r.reason()).contains("an emptyDir at /etc would hide the image's files");
    assertThat(engine.lookedInto).as("the path rule refuses it before the image is asked").isEmpty();
  }

  @Test
  void anImageThatCannotBeLookedIntoIsJudgedByPathsWithAWarning() {
    EngineStandIn engine = writesInto("/srv/shop/state", APP_STATE);
    engine.createFails = "podman create --name rootlock-probe-1 ... failed (exit 125): Error: no space left";

    ProbeResult r = probe(engine, request());

    assertThat(r.succeeded()).isTrue();
    assertThat(r.learned()).singleElement().satisfies(l -> {
      assertThat(l.path().kind()).isEqualTo(WritablePath.Kind.CACHE);
      assertThat(l.verdict()).isNull();
    });
    assertThat(r.warnings()).containsExactly("cannot look into the image (" + engine.createFails + "): directories "
        + "were judged by their path alone");
  }

  /** An app that writes a cache when it can and carries on silently when it cannot. */
  static EngineStandIn silentCache() {
    EngineStandIn engine = new EngineStandIn(spec -> Behaviour.runs("ready"));
    engine.diffLines = List.of("C /var", "C /var/cache", "A /var/cache/app", "A /var/cache/app/c.json",
        "C /etc", "A /run/secrets/token");
    return engine;
  }

  @Test
  void aDiscoveryRunFindsAWriteThatNeverFailsLoudly() {
    EngineStandIn engine = silentCache();
    engine.imageFiles.put("/etc", ImageDirectory.holding(50, 10, false));

    ProbeResult r = probe(engine, request().discovering());

    assertThat(r.succeeded()).isTrue();
    assertThat(engine.runs).extracting(ContainerEngine.RunSpec::readOnly).containsExactly(false, true);
    assertThat(engine.diffed).as("the writable run's diff only").containsExactly("c1");
    assertThat(engine.runs.get(1).tmpfs()).containsOnlyKeys("/var/cache/app");
    assertThat(r.learned()).singleElement().satisfies(l -> {
      assertThat(l.path()).isEqualTo(new WritablePath("/var/cache/app", WritablePath.Kind.CACHE));
      assertThat(l.run()).isEqualTo(1);
      assertThat(l.line()).isEqualTo("podman diff: A /var/cache/app/c.json");
    });
    assertThat(r.runs()).extracting(ProbeResult.Run::outcome).first().asString()
        .startsWith("with a writable root, to discover what it writes: running after");
    assertThat(r.notes()).containsExactly(
        "podman diff of run 1: C /etc: a directory changed with nothing listed below it (the engine's own mounts): "
            + "ignored",
        "podman diff of run 1: A /run/secrets/token: managed by the container runtime: ignored");
    assertThat(ProbeFormat.report(r)).contains("/var/cache/app  cachePaths  run 1: podman diff: A /var/cache/app/c.json")
        .contains("note: podman diff of run 1: A /run/secrets/token: managed by the container runtime: ignored")
        .contains("runs read-only with 1 writable path(s), after 2 run(s)");

    // without the discovery run, nothing in its output tells
    EngineStandIn crashOnly = silentCache();
    ProbeResult missed = probe(crashOnly, request());
    assertThat(missed.learned()).isEmpty();
    assertThat(crashOnly.diffed).isEmpty();
  }

  @Test
  void aWriteTheDiffShowsIntoASystemTreeIsANoteAndTheReadOnlyRunsDecide() {
    EngineStandIn engine = new EngineStandIn(spec -> Behaviour.runs("ready"));
    engine.diffLines = List.of("C /etc", "A /etc/app.conf");

    ProbeResult r = probe(engine, request().discovering());

    assertThat(r.succeeded()).isTrue();
    assertThat(r.learned()).isEmpty();
    assertThat(r.notes()).containsExactly("podman diff: A /etc/app.conf: /etc cannot be made writable automatically "
        + "(HIDES_IMAGE_FILES): the read-only runs show whether the app needs it");
  }
}
