package dev.rootlock.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's command line as a program answers it: an executable script stands in for Podman. */
class CliEngineTest {

  /** What Podman printed for a container with a tmpfs at Debian's /var/run (a symlink to /run). */
  private static final String WARNING = "time=\"2026-12-07T10:00:00Z\" level=warning msg=\"Could not find mount at "
      + "destination \\\"/var/run\\\" when parsing user volumes for container 0123abcd\"";

  private static CliEngine engine(Path dir, String script) throws Exception {
    Path exe = dir.resolve("fake-podman");
    Files.writeString(exe, "#!/bin/sh\n" + script);
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
    return new CliEngine(exe.toString(), List.of(), true);
  }

  @Test
  void aWarningOnStderrIsNeverParsedAsTheInspectJson(@TempDir Path dir) throws Exception {
    CliEngine e = engine(dir, """
        echo '%s' >&2
        echo '[{"State": {"Running": false, "ExitCode": 1, "OOMKilled": false}}]'
        """.formatted(WARNING.replace("'", "'\\''")));

    ContainerEngine.ContainerState s = e.state("0123abcd");

    assertThat(s.running()).isFalse();
    assertThat(s.exitCode()).isEqualTo(1);
  }

  @Test
  void aFailedInspectStillShowsWhatTheEngineSaidOnStderr(@TempDir Path dir) throws Exception {
    CliEngine e = engine(dir, "echo 'Error: no such container 0123abcd' >&2\nexit 125\n");

    assertThatThrownBy(() -> e.state("0123abcd")).isInstanceOf(ContainerEngine.EngineException.class)
        .hasMessageContaining("failed (exit 125)").hasMessageContaining("no such container 0123abcd");
  }

  @Test
  void logsKeepStdoutAndStderrTogetherInOrder(@TempDir Path dir) throws Exception {
    CliEngine e = engine(dir, "echo out1\necho err1 >&2\necho out2\n");

    assertThat(e.logs("0123abcd")).contains("out1", "err1", "out2");
  }
}
