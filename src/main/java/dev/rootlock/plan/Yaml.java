package dev.rootlock.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.util.Set;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/** The one YAML style plan writes: block style, minimal quotes, strings that look like numbers quoted. */
public final class Yaml {
  private static final YAMLMapper MAPPER = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .stringQuotingChecker(new Yaml11Quoting())
      .build());

  private Yaml() {}

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /**
   * Quotes every string a YAML 1.1 reader would take for something else when written plain:
   * Jackson's own check misses sexagesimals ({@code "2222:22"}, a Compose port mapping, would be
   * read back as the number 133342), {@code 0x1F}, {@code 1_000} and {@code .inf}. Timestamps
   * need no quotes: plan, like Kubernetes, reads them as strings.
   */
  private static final class Yaml11Quoting extends StringQuotingChecker.Default {
    private static final Resolver YAML_11 = new Resolver();
    private static final Set<Tag> NOT_STRINGS = Set.of(Tag.BOOL, Tag.INT, Tag.FLOAT, Tag.NULL);

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value) || NOT_STRINGS.contains(YAML_11.resolve(NodeId.scalar, value, true));
    }
  }
}
