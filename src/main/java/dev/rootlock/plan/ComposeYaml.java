package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Docker Compose files, read as Docker Compose reads them.
 *
 * <p>Compose parses YAML with go-yaml v3, which follows the YAML 1.2 core schema, not the YAML 1.1
 * rules plan uses for Kubernetes: {@code restart: no} is the string "no", {@code - 22:22} is the
 * string "22:22" (YAML 1.1 reads the number 1342). Reading a Compose file with YAML 1.1 and
 * writing it back would turn a port mapping into a different port, so Compose documents are read
 * again with these rules. Like go-yaml v3, 1.1 octals ({@code 0440}) are still numbers.
 */
final class ComposeYaml {
  // named apart from Resolver.BOOL, INT and FLOAT, which the resolver below would see instead
  private static final Pattern BOOL_12 = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
  private static final Pattern INT_12 = Pattern.compile(
      "^[-+]?(?:0b[0-1_]+|0o[0-7_]+|0[0-7_]+|0x[0-9a-fA-F_]+|[1-9][0-9_]*|0)$");
  private static final Pattern FLOAT_12 = Pattern.compile(
      "^(?:[-+]?(?:\\.[0-9]+|[0-9][0-9_]*(?:\\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");

  private ComposeYaml() {}

  /** A document with a top-level {@code services:} mapping and no {@code kind} or {@code apiVersion}. */
  static boolean isCompose(JsonNode node) {
    return node != null && node.isObject() && node.path("services").isObject()
        && !node.has("kind") && !node.has("apiVersion");
  }

  /** A loader with Compose's rules; merge keys ({@code <<: *common}) are resolved as by Compose. */
  static Yaml loader(LoaderOptions options) {
    return new Yaml(new Constructor(options), new Representer(new DumperOptions()), new DumperOptions(), options,
        new ComposeResolver());
  }

  /** YAML 1.2 core schema scalars; no timestamps: Compose has no field that wants one. */
  private static final class ComposeResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL_12, "tTfF", 10);
      addImplicitResolver(Tag.INT, INT_12, "-+0123456789"); // before FLOAT, whose pattern also matches ints
      addImplicitResolver(Tag.FLOAT, FLOAT_12, "-+0123456789.");
      addImplicitResolver(Tag.MERGE, Resolver.MERGE, "<", 10);
      addImplicitResolver(Tag.NULL, Resolver.NULL, "~nN\0", 10);
      addImplicitResolver(Tag.NULL, Resolver.EMPTY, null, 10);
    }
  }

  /** SnakeYAML's constructor with YAML 1.2's {@code 0o} octals, which it does not know. */
  private static final class Constructor extends SafeConstructor {
    Constructor(LoaderOptions options) {
      super(options);
      ConstructYamlInt yaml11 = new ConstructYamlInt();
      this.yamlConstructors.put(Tag.INT, new AbstractConstruct() {
        @Override
        public Object construct(Node node) {
          ScalarNode s = (ScalarNode) node;
          String octal = s.getValue().replaceFirst("^([-+]?)0o", "$10");
          return yaml11.construct(new ScalarNode(Tag.INT, octal, s.getStartMark(), s.getEndMark(),
              s.getScalarStyle()));
        }
      });
    }
  }
}
