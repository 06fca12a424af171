package dev.rootlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors in the user's words: a mistyped command, and policy fields of the wrong type or name. */
class CommandErrorsTest {
  @Test
  void aMistypedCommandIsNamedWithTheClosestOne() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = Rootlock.execute(new String[] {"plna", "--policy", "p.yaml"}, new PrintStream(err, true,
        StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("rootlock: unknown command 'plna'; did you mean "
        + "'plan'? (commands: run, plan, probe; rootlock --help lists them)\n");
    assertThat(Rootlock.unknownCommand(new String[] {"--leader-election=false"})).as("run's options").isNull();
    assertThat(Rootlock.unknownCommand(new String[] {"probe", "nginx"})).isNull();
  }

  @Test
  void policyTypeErrorsNameTheFieldItsLineAndWhatItTakes(@TempDir Path dir) throws IOException {
    Path input = Files.writeString(dir.resolve("in.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    String[][] cases = {
        {"tmpPaths: /tmp", ":6: invalid ReadOnlyPolicy: spec.tmpPaths: expected a list of strings, found the string "
            + "\"/tmp\"; write it as a list: [/tmp]"},
        {"mode: enforce", ":6: invalid ReadOnlyPolicy: spec.mode: must be one of Enforce, Audit, found the string "
            + "\"enforce\"; did you mean Enforce?"},
        {"tmpPath: [/tmp]", ":6: invalid ReadOnlyPolicy: spec.tmpPath: unknown field; did you mean tmpPaths?"},
    };
    for (String[] c : cases) {
      Path policy = Files.writeString(dir.resolve("p.yaml"), "apiVersion: rootlock.dev/v1alpha1\n"
          + "kind: ReadOnlyPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  selector: {}\n  " + c[0] + "\n");
      CliRun run = CliRun.plan(policy, input.toString());
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.stdout()).isEmpty();
      assertThat(run.stderr()).contains(policy + c[1]).doesNotContain("java.", "dev.rootlock", "ignorable", "\tat ");
    }
  }
}
