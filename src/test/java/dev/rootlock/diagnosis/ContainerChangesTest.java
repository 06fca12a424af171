package dev.rootlock.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An engine's diff of a container read into what the app wrote, by the same rule as crash output. */
class ContainerChangesTest {
  /** What podman diff printed for a Debian container that wrote a cache, a temp file and removed /run/adduser. */
  static final List<String> PODMAN_DIFF = List.of("C /etc", "D /run/adduser", "C /tmp", "A /tmp/t", "C /var/cache",
      "C /var", "A /var/cache/app", "A /var/cache/app/c.json", "A /run/secrets/token", "C /dev/shm",
      "A /proc/1/x", "A /srv/app.conf", "not a change line");

  static ContainerDirectories image(Map<String, ImageDirectory> found) {
    return new ContainerDirectories("/", null, dir -> Optional.ofNullable(found.get(dir)));
  }

  @Test
  void theDeepestChangesNameTheDirectoriesTheAppWrote() {
    ContainerChanges.Reading r = ContainerChanges.read(PODMAN_DIFF, image(Map.of("/etc", ImageDirectory.holding(90, 20,
        false), "/run", ImageDirectory.holding(1, 2, false))), "podman diff");

    assertThat(r.needs()).extracting(Need::directory, Need::field, Need::safety).containsExactly(
        org.assertj.core.groups.Tuple.tuple("/run", Need.SEED_PATHS, PathSafety.SEED),
        org.assertj.core.groups.Tuple.tuple("/tmp", Need.TMP_PATHS, PathSafety.LEARN),
        org.assertj.core.groups.Tuple.tuple("/var/cache/app", Need.CACHE_PATHS, PathSafety.LEARN),
        org.assertj.core.groups.Tuple.tuple("/srv", Need.CACHE_PATHS, PathSafety.HIDES_IMAGE_FILES));
    assertThat(r.needs().get(2).line()).isEqualTo("podman diff: A /var/cache/app/c.json");
    assertThat(r.ignored()).containsExactly(
        "C /etc: a directory changed with nothing listed below it (the engine's own mounts)",
        "A /run/secrets/token: managed by the container runtime",
        "C /dev/shm: managed by the container runtime",
        "A /proc/1/x: managed by the container runtime");
  }

  @Test
  void aChangedFileIsAWriteIntoItsDirectory() {
    ContainerChanges.Reading r = ContainerChanges.read(List.of("C /srv", "C /srv/shop", "C /srv/shop/state",
        "C /srv/shop/state/orders.db"), image(Map.of("/srv/shop/state", ImageDirectory.holding(1, 0, false))), "docker diff");

    assertThat(r.needs()).singleElement().satisfies(n -> {
      assertThat(n.directory()).isEqualTo("/srv/shop/state");
      assertThat(n.safety()).as("it holds the image's file").isEqualTo(PathSafety.SEED);
      assertThat(n.line()).isEqualTo("docker diff: C /srv/shop/state/orders.db");
    });
    assertThat(r.ignored()).isEmpty();
  }
}
