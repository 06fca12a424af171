package dev.rootlock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.operator.Settings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RunCommandTest {

  @Test
  void reconcileThreadsDefaultToJosdksAndCanBeSet() {
    assertThat(settings().reconcileThreads()).isEqualTo(Settings.DEFAULT_RECONCILE_THREADS).isEqualTo(50);
    assertThat(settings("--reconcile-threads", "4").reconcileThreads()).isEqualTo(4);
  }

  @Test
  void aThreadCountBelowOneNamesTheOption() {
    assertThatThrownBy(() -> settings("--reconcile-threads", "-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--reconcile-threads must be at least 1, was -1");
    assertThatThrownBy(() -> settings("--reconcile-threads", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--reconcile-threads must be at least 1, was 0");
  }

  private static Settings settings(String... args) {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs(args);
    return run.settings();
  }
}
