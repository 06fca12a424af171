package dev.rootlock.rollout;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.WorkloadState;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.ClusterControllers.App;
import dev.rootlock.testing.ReadOnlyRun;
import dev.rootlock.testing.TestImage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator learning from what a real program prints, not from hand-written lines: Debian's
 * nginx is run read-only under Podman at test time, once per missing directory, and its output is
 * what the stand-in kubelet reports as the crashed container's termination message.
 */
class RealCrashIT {
  static final List<String> NGINX_NEEDS = ReadOnlyRun.NGINX_NEEDS;

  Cluster cluster;

  @BeforeAll
  static void podman() {
    TestImage.require();
  }

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void learnModeHardensNginxWithTheDirectoriesItsRealOutputNames() throws IOException {
    Map<String, String> crashes = new LinkedHashMap<>();
    List<String> writable = new ArrayList<>();
    for (String dir : NGINX_NEEDS) {
      crashes.put(dir, ReadOnlyRun.terminationMessage(ReadOnlyRun.nginx(writable)));
      writable.add(dir);
    }
    assertThat(crashes.get("/var/lib/nginx")).contains("\"/var/lib/nginx/body\" failed (30: Read-only file system)");

    cluster.create(web("web"));
    cluster.controllers().app("web", App.writing("app", crashes));
    cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {learn: true}}"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cluster.workload(NS, "p", "web").getState()).isEqualTo(WorkloadState.Compliant));
    assertThat(cluster.workload(NS, "p", "web").getLearnedPaths()).containsExactlyElementsOf(NGINX_NEEDS);
    List<String> mounts = new ArrayList<>();
    for (Container c : cluster.deployment(NS, "web").getSpec().getTemplate().getSpec().getContainers()) {
      c.getVolumeMounts().stream().map(VolumeMount::getMountPath).forEach(mounts::add);
    }
    assertThat(mounts).containsAll(NGINX_NEEDS);
  }

  @Test
  void anUnsafeDirectoryInRealOutputIsNamedAndNeverLearned() throws IOException {
    String etc = ReadOnlyRun.terminationMessage(ReadOnlyRun.run(List.of(), "sh", "-c",
        "echo x > /etc/app.conf && exec sleep 60"));
    cluster.create(web("web"));
    cluster.controllers().app("web", App.writing("app", Map.of("/etc", etc)));
    cluster.startOperator(Settings.defaults().withResync(Duration.ofSeconds(1)));
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}, rollout: {learn: true}}"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cluster.workload(NS, "p", "web").getState()).isEqualTo(WorkloadState.RolledBack));
    assertThat(cluster.workload(NS, "p", "web").getLearnedPaths()).isNullOrEmpty();
    assertThat(cluster.workload(NS, "p", "web").getMessage()).contains("container app failed writing /etc/app.conf "
        + "(read-only file system); an emptyDir at /etc would hide the image's files");
  }
}
