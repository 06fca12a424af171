package dev.rootlock.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.engine.WritablePath.Kind;
import dev.rootlock.testing.CliRun;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each output format of a probe result, exactly. */
class ProbeFormatTest {
  static final ProbeResult NGINX = new ProbeResult("nginx:1.27", "podman", new Quantity("32Mi"),
      List.of(new WritablePath("/tmp", Kind.TMP)),
      List.of(new ProbeResult.Learned(new WritablePath("/var/cache/nginx", Kind.CACHE), 1,
              "[emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)"),
          new ProbeResult.Learned(new WritablePath("/run", Kind.CACHE), 2,
              "[emerg] open() \"/run/nginx.pid\" failed (30: Read-only file system)")),
      List.of(new ProbeResult.Run(1, "exited with code 1 after 0.3 s"), new ProbeResult.Run(2,
          "exited with code 1 after 0.3 s"), new ProbeResult.Run(3, "running after 10.1 s")), null, List.of());

  static String write(ProbeFormat f, ProbeResult r, ReadOnlyPolicy policy) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.write(r, "web", policy, new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void report() {
    assertThat(write(ProbeFormat.report, NGINX, null)).isEqualTo("""
        IMAGE nginx:1.27 (podman)

        run 1: exited with code 1 after 0.3 s
        run 2: exited with code 1 after 0.3 s
        run 3: running after 10.1 s

        PATH              FIELD       FROM
        /tmp              tmpPaths    declared
        /var/cache/nginx  cachePaths  run 1: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)
        /run              cachePaths  run 2: [emerg] open() "/run/nginx.pid" failed (30: Read-only file system)

        runs read-only with 3 writable path(s), after 3 run(s)
        """);
  }

  @Test
  void flagsForPodmanAlsoTurnOffItsOwnWritableDirectories() {
    assertThat(write(ProbeFormat.flags, NGINX, null)).isEqualTo("--read-only --read-only-tmpfs=false "
        + "--tmpfs /tmp:rw,size=32m,mode=1777,notmpcopyup --tmpfs /var/cache/nginx:rw,size=32m,mode=1777,notmpcopyup "
        + "--tmpfs /run:rw,size=32m,mode=1777,notmpcopyup\n");
    ProbeResult docker = new ProbeResult("nginx", "docker", new Quantity("1Gi"), List.of(new WritablePath("/tmp",
        Kind.TMP)), List.of(), List.of(), null, List.of());
    assertThat(write(ProbeFormat.flags, docker, null)).isEqualTo("--read-only --tmpfs /tmp:rw,size=1g,mode=1777\n");
  }

  @Test
  void compose() {
    assertThat(write(ProbeFormat.compose, NGINX, null)).isEqualTo("""
        services:
          web:
            image: nginx:1.27
            labels:
              app: web
            read_only: true
            tmpfs:
              - "/tmp:size=32m,mode=1777"
              - "/var/cache/nginx:size=32m,mode=1777"
              - "/run:size=32m,mode=1777"
        """);
  }

  @Test
  void aNewPolicySelectsByAppLabelAndSaysEveryListExplicitly() {
    ProbeResult noTmp = new ProbeResult("nginx", "docker", new Quantity("64Mi"), List.of(),
        List.of(new ProbeResult.Learned(new WritablePath("/run", Kind.CACHE), 1, "x")), List.of(), null, List.of());
    String yaml = write(ProbeFormat.policy, noTmp, null);
    assertThat(yaml).isEqualTo("""
        # Selects the workloads labelled app=web in its namespace: give yours that label, or probe again with \
        --selector KEY=VALUE[,KEY=VALUE]
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app: web
          tmpPaths: []
          cachePaths:
            - /run
          sizeLimit: 64Mi
        """);
    ReadOnlyPolicy p = JsonPatches.SERIALIZATION.unmarshal(yaml, ReadOnlyPolicy.class);
    assertThat(PolicyRules.from(p.getSpec()).rules().paths()).extracting(WritablePath::path)
        .as("an empty tmpPaths is not the default /tmp").containsExactly("/run");
  }

  @Test
  void theComposeServiceIsTheContainerAsProbedAndThePolicySelectsItByTheGivenLabels() {
    ProbeFormat.Service s = new ProbeFormat.Service("web", List.of("nginx", "-g", "daemon off;"),
        List.of("TZ=UTC", "EMPTY="), "101", java.util.Map.of("tier", "web"));
    ByteArrayOutputStream compose = new ByteArrayOutputStream();
    ProbeFormat.compose.write(NGINX, s, null, new PrintStream(compose, true, StandardCharsets.UTF_8));
    assertThat(compose.toString(StandardCharsets.UTF_8)).isEqualTo("""
        services:
          web:
            image: nginx:1.27
            command:
              - nginx
              - -g
              - daemon off;
            user: "101"
            environment:
              - TZ=UTC
              - EMPTY=
            labels:
              tier: web
            read_only: true
            tmpfs:
              - "/tmp:size=32m,mode=1777"
              - "/var/cache/nginx:size=32m,mode=1777"
              - "/run:size=32m,mode=1777"
        """);
    ByteArrayOutputStream policy = new ByteArrayOutputStream();
    ProbeFormat.policy.write(NGINX, s, null, new PrintStream(policy, true, StandardCharsets.UTF_8));
    ReadOnlyPolicy p = JsonPatches.SERIALIZATION.unmarshal(policy.toString(StandardCharsets.UTF_8),
        ReadOnlyPolicy.class);
    assertThat(policy.toString(StandardCharsets.UTF_8)).as("no advice when the selector is the user's")
        .doesNotContain("#");
    assertThat(p.getSpec().getSelector().getMatchLabels()).containsExactly(java.util.Map.entry("tier", "web"));
  }

  @Test
  void theComposeServiceAndPolicyPrintedTogetherArePlannedCompliant(@TempDir Path dir) throws IOException {
    for (ProbeFormat.Service s : List.of(ProbeFormat.Service.named("web"), new ProbeFormat.Service("web",
        List.of(), List.of(), null, java.util.Map.of("tier", "web")))) {
      ByteArrayOutputStream compose = new ByteArrayOutputStream();
      ByteArrayOutputStream policy = new ByteArrayOutputStream();
      ProbeFormat.compose.write(NGINX, s, null, new PrintStream(compose, true, StandardCharsets.UTF_8));
      ProbeFormat.policy.write(NGINX, s, null, new PrintStream(policy, true, StandardCharsets.UTF_8));
      Path composeFile = Files.writeString(dir.resolve("compose.yaml"), compose.toString(StandardCharsets.UTF_8));
      Path policyFile = Files.writeString(dir.resolve("policy.yaml"), policy.toString(StandardCharsets.UTF_8));

      CliRun plan = CliRun.plan(policyFile, "--format", "report", composeFile.toString());

      assertThat(plan.exitCode()).as(plan.stdout() + plan.stderr()).isZero();
      assertThat(plan.stdout()).contains("ComposeService  web").contains(" Compliant ");
    }
  }

  @Test
  void thePolicyProbedFromKeepsItsNameSelectorAndModeAndGetsThePaths() {
    ReadOnlyPolicy from = JsonPatches.SERIALIZATION.unmarshal("""
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: shop-web, namespace: shop}
        spec: {selector: {matchLabels: {tier: web}}, mode: Audit, tmpPaths: [/tmp]}
        """, ReadOnlyPolicy.class);
    ReadOnlyPolicy out = JsonPatches.SERIALIZATION.unmarshal(write(ProbeFormat.policy, NGINX, from),
        ReadOnlyPolicy.class);
    assertThat(out.getMetadata().getName()).isEqualTo("shop-web");
    assertThat(out.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(out.getSpec().getSelector().getMatchLabels()).containsEntry("tier", "web");
    assertThat(out.getSpec().getMode()).hasToString("Audit");
    assertThat(out.getSpec().getTmpPaths()).containsExactly("/tmp");
    assertThat(out.getSpec().getCachePaths()).containsExactly("/var/cache/nginx", "/run");
    assertThat(out.getSpec().getSizeLimit()).isEqualTo("32Mi");
  }

  @Test
  void theKustomizePatchIsWhatTheOperatorWouldWriteAndLeavesTheImageAlone() {
    Deployment patch = JsonPatches.SERIALIZATION.unmarshal(write(ProbeFormat.kustomize, NGINX, null),
        Deployment.class);
    var c = patch.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getName()).isEqualTo("web");
    assertThat(c.getImage()).isNull();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath())
        .containsExactlyInAnyOrder("/tmp", "/var/cache/nginx", "/run");
    var volumes = patch.getSpec().getTemplate().getSpec().getVolumes();
    assertThat(c.getVolumeMounts()).allSatisfy(m -> assertThat(volumes).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo(m.getName());
      assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
      assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("32Mi"));
    }));
  }

  @Test
  void aFailedProbeReportsWhyAndItsWarnings() {
    ProbeResult failed = new ProbeResult("app", "docker", new Quantity("64Mi"), List.of(), List.of(),
        List.of(new ProbeResult.Run(1, "exited with code 2 after 0.4 s")), "the app failed writing /etc/x",
        List.of());
    assertThat(write(ProbeFormat.report, failed, null)).endsWith("cannot run read-only: the app failed writing /etc/x\n");
  }
}
