package dev.rootlock.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.diagnosis.ImageDirectory;
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

  @Test
  void anImageIsLookedIntoThroughACreatedContainerAndCp(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("files/state/sub"));
    Files.writeString(dir.resolve("files/state/orders.db"), "x");
    Files.createDirectories(dir.resolve("files/logs"));
    Path args = dir.resolve("args");
    CliEngine e = engine(dir, """
        echo "$@" >> '%s'
        case "$1 $2" in
          create*|kill*|rm*) echo 0123abcd ;;
          "cp 0123abcd:/srv/state") echo 'time="x" level=warning msg="a warning"' >&2; tar -C '%s' -c state ;;
          "cp 0123abcd:/usr/local/tomcat/logs") tar -C '%s' -c logs ;;
          "cp 0123abcd:/big.log") head -c 4000000 /dev/zero > '%s/big.log'; tar -C '%s' -c big.log ;;
          "cp 0123abcd:/missing")
            echo 'Error: "/missing" could not be found on container 0123abcd: no such file or directory' >&2
            exit 125 ;;
          *) echo 'Error: the storage is gone' >&2; exit 125 ;;
        esac
        """.formatted(args, dir.resolve("files"), dir.resolve("files"), dir, dir));

    String id = e.create("app:1");

    assertThat(Files.readString(args)).as("never started, no network, a placeholder command")
        .startsWith("create --name " + id + " --label dev.rootlock.probe=true --network none --image-volume=ignore "
            + "app:1 /rootlock-never-started");
    assertThat(e.lookInto("0123abcd", "/srv/state")).contains(ImageDirectory.holding(1, 1, false));
    assertThat(e.lookInto("0123abcd", "/usr/local/tomcat/logs")).contains(ImageDirectory.EMPTY);
    assertThat(e.lookInto("0123abcd", "/missing")).contains(ImageDirectory.ABSENT);
    assertThat(e.lookInto("0123abcd", "/big.log")).as("known from its header; the rest is not read, and the "
        + "engine then fails writing into the closed pipe").contains(ImageDirectory.NOT_A_DIRECTORY);
    assertThatThrownBy(() -> e.lookInto("0123abcd", "/other")).isInstanceOf(ContainerEngine.EngineException.class)
        .hasMessageContaining("podman cp 0123abcd:/other - failed (exit 125)").hasMessageContaining("storage is gone");
    e.remove(id);
  }
}
