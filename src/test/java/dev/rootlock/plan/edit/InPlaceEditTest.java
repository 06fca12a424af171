package dev.rootlock.plan.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The in-place editor on its own: each kind of place a value can be added, against the exact text
 * expected, and every result read back to the patched tree.
 */
class InPlaceEditTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Applies {@code ops} (JSON) to {@code yaml} in place, and checks that it reads back as patched. */
  private static String edit(String yaml, String ops) throws Exception {
    JsonNode patch = JSON.readTree(ops);
    JsonNode before = JSON.valueToTree(new Yaml().load(yaml));
    JsonNode planned = JsonPatch.apply(patch, before);
    String after = InPlaceEdit.apply(yaml, planned, patch);
    JsonNode reread = JSON.valueToTree(new Yaml().load(after));
    assertThat(reread).as(after).isEqualTo(planned);
    return after;
  }

  @Test
  void aKeyGoesAfterTheMappingsLastEntryAndItsCommentsStay() throws Exception {
    String yaml = """
        # top
        spec:
          containers:
          - name: app   # the app
            image: app:1  # pinned
            # ports follow
          # no more containers
        other: 1
        """;
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/spec/containers/0/securityContext", "value": {"readOnlyRootFilesystem": true}}]"""))
        .isEqualTo("""
            # top
            spec:
              containers:
              - name: app   # the app
                image: app:1  # pinned
                securityContext:
                  readOnlyRootFilesystem: true
                # ports follow
              # no more containers
            other: 1
            """);
  }

  @Test
  void itemsAreAppendedInTheListsOwnIndentation() throws Exception {
    String yaml = """
        volumes:
            - name: a
              emptyDir: {}
        mounts:
        - /x
        """;
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/volumes/1", "value": {"name": "b", "emptyDir": {"medium": "Memory"}}},
         {"op": "add", "path": "/volumes/2", "value": {"name": "c", "emptyDir": {}}},
         {"op": "add", "path": "/mounts/-", "value": "/y"}]"""))
        .isEqualTo("""
            volumes:
                - name: a
                  emptyDir: {}
                - name: b
                  emptyDir:
                    medium: Memory
                - name: c
                  emptyDir: {}
            mounts:
            - /x
            - /y
            """);
  }

  @Test
  void aNewListUnderAKeyFollowsTheFilesStyleOfLists() throws Exception {
    String indentless = "a:\n  b:\n  - 1\n  c: x\n";
    String indented = "a:\n  b:\n    - 1\n  c: x\n";
    String ops = """
        [{"op": "add", "path": "/a/d", "value": ["p", "q"]}]""";
    assertThat(edit(indentless, ops)).isEqualTo("a:\n  b:\n  - 1\n  c: x\n  d:\n  - p\n  - q\n");
    assertThat(edit(indented, ops)).isEqualTo("a:\n  b:\n    - 1\n  c: x\n  d:\n    - p\n    - q\n");
  }

  @Test
  void aScalarIsReplacedWhereItIsQuotingAndCommentKept() throws Exception {
    String yaml = "securityContext:\n  readOnlyRootFilesystem: false   # for now\n  runAsUser: 1000\n";
    assertThat(edit(yaml, """
        [{"op": "replace", "path": "/securityContext/readOnlyRootFilesystem", "value": true}]"""))
        .isEqualTo("securityContext:\n  readOnlyRootFilesystem: true   # for now\n  runAsUser: 1000\n");
  }

  @Test
  void flowCollectionsStayInFlowStyle() throws Exception {
    String yaml = "c: {name: app, securityContext: {runAsNonRoot: true}}\nv: [{name: a}]\n";
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/c/securityContext/readOnlyRootFilesystem", "value": true},
         {"op": "add", "path": "/c/volumeMounts", "value": [{"name": "b", "mountPath": "/tmp"}]},
         {"op": "add", "path": "/v/1", "value": {"name": "b", "emptyDir": {"medium": "Memory"}}}]"""))
        .isEqualTo("c: {name: app, securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}, "
            + "volumeMounts: [{name: b, mountPath: /tmp}]}\nv: [{name: a}, {name: b, emptyDir: {medium: Memory}}]\n");
  }

  @Test
  void aFlowCollectionOverSeveralLinesGetsALineOfItsOwn() throws Exception {
    String yaml = "args: [\n  --a,\n  --b\n]\n";
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/args/2", "value": "--c"}]""")).isEqualTo("args: [\n  --a,\n  --b,\n  --c\n]\n");
  }

  @Test
  void anEmptyOrMissingValueInBlockStyleBecomesABlock() throws Exception {
    String yaml = "spec:\n  securityContext: {}\n  volumes:\n  other: x\n";
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/spec/securityContext/readOnlyRootFilesystem", "value": true},
         {"op": "replace", "path": "/spec/volumes", "value": [{"name": "a"}]}]"""))
        .isEqualTo("spec:\n  securityContext:\n    readOnlyRootFilesystem: true\n  volumes:\n    - name: a\n"
            + "  other: x\n");
  }

  @Test
  void aMergedValueIsOverriddenByAnOwnKeyAndTheAnchorStaysAsWritten() throws Exception {
    String yaml = """
        x-defaults: &defaults
          restart: always
          tmpfs:
            - /run
        services:
          web:
            <<: *defaults
            image: nginx
          db:
            <<: *defaults
        """;
    String after = edit(yaml, """
        [{"op": "add", "path": "/services/web/tmpfs/1", "value": "/tmp"},
         {"op": "add", "path": "/services/web/read_only", "value": true}]""");
    assertThat(after).isEqualTo("""
        x-defaults: &defaults
          restart: always
          tmpfs:
            - /run
        services:
          web:
            <<: *defaults
            image: nginx
            tmpfs:
              - /run
              - /tmp
            read_only: true
          db:
            <<: *defaults
        """);
    // db still merges the anchor unchanged
    Map<?, ?> services = (Map<?, ?>) ((Map<?, ?>) new Yaml().load(after)).get("services");
    assertThat(((Map<?, ?>) services.get("db")).get("tmpfs")).isEqualTo(java.util.List.of("/run"));
  }

  @Test
  void anAliasIsReplacedByItsNewValueNotChangedThroughTheAnchor() throws Exception {
    String yaml = "base: &m [{name: a}]\nc1:\n  mounts: *m\nc2:\n  mounts: *m\n";
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/c1/mounts/1", "value": {"name": "b"}}]"""))
        .isEqualTo("base: &m [{name: a}]\nc1:\n  mounts:\n    - name: a\n    - name: b\nc2:\n  mounts: *m\n");
  }

  @Test
  void anAnchorOthersRepeatIsNeverRewritten() {
    String yaml = "c1:\n  mounts: &m [{name: a}]\nc2:\n  mounts: *m\n";
    assertThatThrownBy(() -> edit(yaml, """
        [{"op": "replace", "path": "/c1/mounts", "value": []}]""")).isInstanceOf(CannotEdit.class)
        .hasMessageContaining("anchor other nodes repeat");
  }

  @Test
  void removalsAreLeftToTheCaller() {
    assertThatThrownBy(() -> edit("a: 1\nb: 2\n", """
        [{"op": "remove", "path": "/b"}]""")).isInstanceOf(CannotEdit.class).hasMessage("cannot remove /b in place");
  }

  @Test
  void windowsLineEndingsAndABlockScalarAtTheEndAreKept() throws Exception {
    String yaml = "a:\r\n  script: |\r\n    echo hi\r\n\r\n  # end\r\nb: 1\r\n";
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/a/x", "value": "z"}]"""))
        .isEqualTo("a:\r\n  script: |\r\n    echo hi\r\n\r\n  x: z\r\n  # end\r\nb: 1\r\n");
  }

  @Test
  void offsetsHoldAfterCharactersOutsideTheBasicPlane() throws Exception {
    String yaml = "# 🚀 rocket\nname: \"🚀\"\nlist:\n- a\n";
    assertThat(edit(yaml, """
        [{"op": "add", "path": "/list/1", "value": "b"}]"""))
        .isEqualTo("# 🚀 rocket\nname: \"🚀\"\nlist:\n- a\n- b\n");
  }

  @Test
  void aJsonDocumentStaysJson() throws Exception {
    String json = "{\n  \"spec\": {\n    \"containers\": [\n      {\"name\": \"a\", \"image\": \"x\"}\n    ]\n  }\n}\n";
    String after = edit(json, """
        [{"op": "add", "path": "/spec/containers/0/securityContext", "value": {"readOnlyRootFilesystem": true}},
         {"op": "add", "path": "/spec/volumes", "value": [{"name": "v", "emptyDir": {"sizeLimit": "64Mi"}}]}]""");
    assertThat(after).isEqualTo("{\n  \"spec\": {\n    \"containers\": [\n      {\"name\": \"a\", \"image\": \"x\", "
        + "\"securityContext\": {\"readOnlyRootFilesystem\": true}}\n    ],\n"
        + "    \"volumes\": [{\"name\": \"v\", \"emptyDir\": {\"sizeLimit\": \"64Mi\"}}]\n  }\n}\n");
    assertThat(JSON.readTree(after).at("/spec/volumes/0/name").asText()).isEqualTo("v");
  }

  @Test
  void stringsThatWouldReadAsSomethingElseAreQuoted() throws Exception {
    assertThat(edit("a:\n- x\n", """
        [{"op": "add", "path": "/a/1", "value": "yes"}, {"op": "add", "path": "/a/2", "value": "22:22"},
         {"op": "add", "path": "/a/3", "value": "/tmp:size=64m,mode=1777"}]"""))
        .isEqualTo("a:\n- x\n- \"yes\"\n- \"22:22\"\n- \"/tmp:size=64m,mode=1777\"\n");
  }
}
