package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class YamlTest {

  @Test
  void stringsThatYaml11ReadsAsSomethingElseAreQuotedAndReadBackAsStrings() throws Exception {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    ArrayNode values = doc.putArray("values");
    for (String s : new String[] {"2222:22", "22:22", "1:30:00", "0x1F", "1_000", "1e3", "0b101", ".inf", "-.inf",
        ".NaN", "~", "yes", "On", "012", "190:20:30.15", "true", "null", ""}) {
      values.add(s);
    }

    String written = Yaml.write(doc);
    JsonNode read = ManifestReader.split("t", written).get(0).node();

    assertThat(read).as(written).isEqualTo(doc);
  }

  @Test
  void plainStringsStayPlain() {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.putArray("values").add("80:80").add("/tmp").add("nginx:1.27").add("2024-01-01");

    assertThat(Yaml.write(doc)).isEqualTo("values:\n  - 80:80\n  - /tmp\n  - nginx:1.27\n  - 2024-01-01\n");
  }
}
