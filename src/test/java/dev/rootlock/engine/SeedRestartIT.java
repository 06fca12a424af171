package dev.rootlock.engine;

import static dev.rootlock.testing.TestImage.podman;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.TestImage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeder killed half-way through its copy, for real, under Podman (as a node that loses the
 * pod's init container mid-copy leaves its emptyDir), then run again as the kubelet restarts it:
 * the second run leaves exactly the image's directory, entry by entry, with modes, owners and
 * times. The directory is large enough (10,000 files in 20 directories and a 32 MiB file) that
 * the kill lands while the copy is under way.
 */
class SeedRestartIT {
  static final String BIG_IMAGE = "localhost/rootlock-seed-big:1";
  static final String DATA = "/srv/data";

  @BeforeAll
  static void image() throws IOException {
    TestImage.require();
    TestImage.derive(BIG_IMAGE, "mkdir -p " + DATA, "cd " + DATA, "head -c 33554432 /dev/urandom > blob",
        "for d in $(seq 1 20); do mkdir d$d; for f in $(seq 1 500); do echo $d-$f > d$d/f$f; done; done",
        "chmod 0640 d7/f9", "ln -s d1/f1 link", "echo h > .hidden");
  }

  @AfterAll
  static void removeImage() throws IOException {
    podman("rmi", "-f", BIG_IMAGE);
  }

  @Test
  void aSeederKilledMidCopyIsRunAgainIntoAnExactCopy(@TempDir Path tmp) throws Exception {
    PodSpec pod = SeedCopyIT.hardened(BIG_IMAGE, SeedPlatform.DEFAULT, "{seedPaths: [" + DATA + "], "
        + "seed: {method: Copy}}");
    Map<String, Path> volumes = SeedCopyIT.emptyDirs(pod, tmp);
    Container seeder = pod.getInitContainers().get(0);
    Path volume = SeedCopyIT.volumeAt(pod, volumes, DATA);
    String name = "rootlock-seed-kill-" + UUID.randomUUID();
    try {
      TestImage.Result started = podman(SeedCopyIT.runArgs(seeder, volumes, List.of("-d", "--name", name)));
      assertThat(started.exitCode()).as(started.output()).isZero();
      // kill as soon as the copy has begun
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (isEmpty(volume) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(isEmpty(volume)).as("the copy began").isFalse();
      TestImage.Result killed = podman("kill", "-s", "KILL", name);
      assertThat(podman("wait", name).output().strip()).as("killed mid-copy (%s), not finished",
          killed.output()).isEqualTo("137");
    } finally {
      podman("rm", "-f", "-t", "0", name);
    }
    String image = SeedCopyIT.imageListing(BIG_IMAGE, DATA);
    assertThat(SeedCopyIT.listing(volume)).as("what the kill left is a partial copy").isNotEqualTo(image);

    TestImage.Result again = SeedCopyIT.run(seeder, volumes, List.of());

    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(SeedCopyIT.listing(volume)).as("the restarted seeder's copy").isEqualTo(image);
    assertThat(Files.size(volume.resolve("blob"))).isEqualTo(32L << 20);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }
}
