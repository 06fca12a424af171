package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hardening of one Compose service: sizes in Docker's units, paths already mounted left alone. */
class ComposePlannerTest {

  @ParameterizedTest
  @CsvSource({
      "64Mi, 64m", "1Gi, 1g", "512Ki, 512k", "1500Mi, 1500m", "2048Mi, 2g", "1024Ki, 1m",
      "100M, 100000000", "1G, 1000000000", "1k, 1000", "2Ki, 2k", "0.5Gi, 512m", "1.5, 2", "1Ti, 1024g"})
  void sizeLimitsBecomeDockerTmpfsSizes(String quantity, String docker) {
    assertThat(dev.rootlock.engine.Tmpfs.size(new Quantity(quantity))).isEqualTo(docker);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      volumes: ['./scratch:/tmp']                       | /tmp already mounted by volume ./scratch
      volumes: ['./scratch:/tmp/:rw']                   | /tmp already mounted by volume ./scratch
      volumes: ['scratch:/tmp:ro,z']                    | /tmp already mounted by volume scratch (read-only)
      volumes: ['/tmp']                                 | /tmp already mounted by anonymous volume
      volumes: ['${SCRATCH:-./scratch}:/tmp']           | /tmp already mounted by volume ${SCRATCH:-./scratch}
      volumes: ['C:\\scratch:/tmp']                     | /tmp already mounted by volume C:\\scratch
      volumes: [{type: bind, source: ./s, target: /tmp}] | /tmp already mounted by bind ./s
      volumes: [{type: volume, target: /tmp, read_only: true}] | /tmp already mounted by anonymous volume (read-only)
      volumes: [{type: tmpfs, target: /tmp/}]           | /tmp already mounted by tmpfs
      tmpfs: /tmp                                       | /tmp already mounted by tmpfs
      tmpfs: '/tmp:size=10m,mode=1770'                  | /tmp already mounted by tmpfs
      tmpfs: [/run, '/tmp:size=10m']                    | /tmp already mounted by tmpfs
      volumes: ['./data:/']                             | /tmp already mounted by volume ./data at /
      """)
  void aPathMountedAtOrAboveIsLeftAlone(String mounts, String note) throws Exception {
    ComposeService s = service("read_only: true\n" + mounts);

    PlannedChange o = ComposePlanner.harden(s, Manifests.rules("{}"));

    assertThat(o.ops()).isEmpty();
    assertThat(o.notes()).isEqualTo(note);
  }

  @Test
  void aParentCoversItsChildrenButNotItsSiblings() throws Exception {
    ComposeService s = service("volumes: ['cache:/var/cache', 'log:/var/log/app']\ntmpfs: /tmpfoo\n");

    PlannedChange o = ComposePlanner.harden(s,
        Manifests.rules("{tmpPaths: [/tmp], cachePaths: [/var/cache/nginx, /var/log]}"));

    // /var/log/app is below /var/log, not above it; /tmpfoo is not /tmp
    assertThat(o.summary()).isEqualTo("read_only: true; tmpfs: /tmp, /var/log");
    assertThat(texts(apply(s, o).get("tmpfs"))).containsExactly("/tmpfoo", "/tmp:size=64m,mode=1777",
        "/var/log:size=64m,mode=1777");
  }

  @Test
  void aTmpfsItAddsCoversThePathsBelowIt() throws Exception {
    ComposeService s = service("image: x\n");

    PlannedChange o = ComposePlanner.harden(s, Manifests.rules("{tmpPaths: [/var/cache, /var/cache/app]}"));

    assertThat(o.summary()).isEqualTo("read_only: true; tmpfs: /var/cache");
  }

  @Test
  void anExemptServiceIsLeftAsItIsAndSaysWhy() throws Exception {
    ComposeService byImage = service("image: registry.example/vendor-agent:2.1\n");
    ComposeService other = service("image: registry.example/shop:1\n");
    var rules = Manifests.rules("{excludeImages: ['*/vendor-agent:*']}");

    PlannedChange o = ComposePlanner.harden(byImage, rules);

    assertThat(o.ops()).isEmpty();
    assertThat(o.notes()).startsWith("service web: exempt (").contains("*/vendor-agent:*");
    assertThat(ComposePlanner.harden(other, rules).ops()).isNotEmpty();
    assertThat(ComposePlanner.harden(service("image: x\n"), Manifests.rules("{excludeContainers: ['w*']}"))
        .ops()).isEmpty();
  }

  @Test
  void mediumDiskIsNamedAsNotApplyingToCompose() throws Exception {
    ComposeService s = service("image: x\n");

    assertThat(ComposePlanner.harden(s, Manifests.rules("{medium: Disk}")).notes())
        .isEqualTo("spec.medium Disk does not apply to Compose: tmpfs is always memory-backed");
    assertThat(ComposePlanner.harden(s, Manifests.rules("{}")).notes()).isEmpty();
  }

  @Test
  void aSeededPathBecomesAVolumeTheEngineFillsFromTheImage() throws Exception {
    ComposeService s = service("image: nginx\nvolumes: ['./site:/usr/share/nginx/html:ro']\n");

    PlannedChange o = ComposePlanner.harden(s,
        Manifests.rules("{seedPaths: [/etc/nginx/conf.d, /usr/share/nginx/html/cache]}"));
    JsonNode planned = apply(s, o);

    assertThat(texts(planned.get("volumes"))).containsExactly("./site:/usr/share/nginx/html:ro", "/etc/nginx/conf.d");
    assertThat(texts(planned.get("tmpfs"))).containsExactly("/tmp:size=64m,mode=1777");
    assertThat(o.summary()).isEqualTo("read_only: true; tmpfs: /tmp; volumes seeded from the image (disk, not "
        + "memory): /etc/nginx/conf.d");
    assertThat(o.notes()).contains("/usr/share/nginx/html/cache already mounted by");
  }

  @Test
  void readOnlyFalseIsSetToTrueInPlace() throws Exception {
    ComposeService s = service("read_only: false\nimage: x\n");

    JsonNode planned = apply(s, ComposePlanner.harden(s, Manifests.rules("{}")));

    assertThat(planned.get("read_only").asBoolean()).isTrue();
    assertThat(planned.fieldNames()).toIterable().containsExactly("read_only", "image", "tmpfs");
  }

  @Test
  void aServiceNotInSpecContainersIsLeftAlone() throws Exception {
    ComposeService s = service("image: x\n");

    PlannedChange o = ComposePlanner.harden(s, Manifests.rules("{containers: [api]}"));

    assertThat(o.ops()).isEmpty();
    assertThat(o.notes()).isEqualTo("service web is not in spec.containers, nothing to harden");
  }

  @Test
  void labelsAreReadFromAMappingOrAList() throws Exception {
    assertThat(service("labels: {tier: web, replicas: 3, on: true, empty: }\n").labels())
        .containsEntry("tier", "web").containsEntry("replicas", "3").containsEntry("on", "true")
        .containsEntry("empty", "");
    assertThat(service("labels: [tier=web, 'a=b=c', bare, 'rootlock.dev/exclude=true']\n").labels())
        .containsEntry("tier", "web").containsEntry("a", "b=c").containsEntry("bare", "")
        .containsEntry("rootlock.dev/exclude", "true");
  }

  private static ComposeService service(String body) throws PlanInputException {
    String yaml = "services:\n  web:\n" + body.indent(4);
    SourceDocument doc = ManifestReader.split("compose.yaml", yaml).get(0);
    return ComposeService.read("web", doc.node().at("/services/web"), FieldPath.of("services", "web"),
        new YamlLines(doc));
  }

  private static JsonNode apply(ComposeService s, PlannedChange o) {
    return io.fabric8.zjsonpatch.JsonPatch.apply(o.ops(), s.node());
  }

  private static List<String> texts(JsonNode list) {
    return StreamSupport.stream(list.spliterator(), false).map(JsonNode::asText).toList();
  }
}
