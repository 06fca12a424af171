package dev.rootlock.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real error lines from each runtime: the path found, and the directory to declare. */
class ReadOnlyFilesystemErrorsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      nginx mkdir        | nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)                    | /var/cache/nginx/client_temp | /var/cache/nginx | cachePaths
      nginx pid          | 2024/01/10 10:00:00 [emerg] 1#1: open() "/var/run/nginx.pid" failed (30: Read-only file system)              | /var/run/nginx.pid | /var/run | cachePaths
      nginx error log    | nginx: [alert] could not open error log file: open() "/var/log/nginx/error.log" failed (30: Read-only file system) | /var/log/nginx/error.log | /var/log/nginx | cachePaths
      nginx entrypoint   | /docker-entrypoint.sh: 10: cannot create /etc/nginx/conf.d/default.conf: Read-only file system                | /etc/nginx/conf.d/default.conf | /etc/nginx/conf.d | cachePaths
      java nio           | java.nio.file.FileSystemException: /tmp/hsperfdata_root: Read-only file system                               | /tmp/hsperfdata_root | /tmp | tmpPaths
      java caused by     | Caused by: java.nio.file.FileSystemException: /app/logs/app.log: Read-only file system                      | /app/logs/app.log | /app/logs | cachePaths
      java io            | java.io.FileNotFoundException: /var/lib/app/data.db (Read-only file system)                                  | /var/lib/app/data.db | /var/lib/app | cachePaths
      java tomcat        | java.io.IOException: Read-only file system: /usr/local/tomcat/work/Catalina: Read-only file system          | /usr/local/tomcat/work/Catalina | /usr/local/tomcat/work | cachePaths
      python pycache     | OSError: [Errno 30] Read-only file system: '/app/__pycache__'                                               | /app/__pycache__ | /app/__pycache__ | cachePaths
      python tempfile    | OSError: [Errno 30] Read-only file system: '/tmp/tmpa1b2c3d4'                                               | /tmp/tmpa1b2c3d4 | /tmp | tmpPaths
      python logging     | OSError: [Errno 30] Read-only file system: '/var/log/app/app.log'                                           | /var/log/app/app.log | /var/log/app | cachePaths
      node next cache    | Error: EROFS: read-only file system, open '/app/.next/cache/webpack/client.pack'                           | /app/.next/cache/webpack/client.pack | /app/.next/cache/webpack | cachePaths
      node npm           | npm ERR! Error: EROFS: read-only file system, mkdir '/home/node/.npm/_cacache'                             | /home/node/.npm/_cacache | /home/node/.npm | cachePaths
      node mkdtemp       | [Error: EROFS: read-only file system, mkdtemp '/tmp/upload-XXXXXX'] { errno: -30, code: 'EROFS' }            | /tmp/upload-XXXXXX | /tmp | tmpPaths
      go open            | open /data/badger/MANIFEST: read-only file system                                                          | /data/badger/MANIFEST | /data/badger | cachePaths
      go mkdir           | mkdir /var/lib/grafana/plugins: read-only file system                                                      | /var/lib/grafana/plugins | /var/lib/grafana | cachePaths
      go panic           | panic: listen unix /tmp/app.sock: bind: read-only file system                                              | /tmp/app.sock | /tmp | tmpPaths
      coreutils touch    | touch: cannot touch '/var/run/app.pid': Read-only file system                                              | /var/run/app.pid | /var/run | cachePaths
      coreutils mkdir    | mkdir: cannot create directory '/var/cache/apt/archives': Read-only file system                            | /var/cache/apt/archives | /var/cache/apt | cachePaths
      coreutils cp       | cp: cannot create regular file '/etc/app/config.yml': Read-only file system                                | /etc/app/config.yml | /etc/app | cachePaths
      bash redirect      | /entrypoint.sh: line 12: /etc/nginx/nginx.conf: Read-only file system                                       | /etc/nginx/nginx.conf | /etc/nginx | cachePaths
      busybox sh         | sh: can't create /var/run/app.pid: Read-only file system                                                    | /var/run/app.pid | /var/run | cachePaths
      sed in place       | sed: couldn't open temporary file /etc/nginx/sedX1Y2Z3: Read-only file system                               | /etc/nginx/sedX1Y2Z3 | /etc/nginx | cachePaths
      postgres lock      | FATAL:  could not open lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system             | /var/run/postgresql/.s.PGSQL.5432.lock | /var/run/postgresql | cachePaths
      redis rdb          | Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving: Read-only file system     | /data | /data | cachePaths
      """)
  void findsThePathAndTheDirectoryToDeclare(String runtime, String line, String path, String directory, String field) {
    var d = ReadOnlyFilesystemErrors.diagnose("starting...\n" + line + "\nexiting");
    assertThat(d).as(runtime).isPresent();
    assertThat(d.get().path()).isEqualTo(path);
    assertThat(d.get().directory()).isEqualTo(directory);
    assertThat(d.get().field()).isEqualTo(field);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      permission denied  | open /var/run/app.pid: permission denied
      disk full          | OSError: [Errno 28] No space left on device: '/tmp/x'
      not found          | java.io.FileNotFoundException: /etc/app/config.yml (No such file or directory)
      plain crash        | panic: runtime error: invalid memory address or nil pointer dereference
      """)
  void ignoresOtherFailures(String kind, String line) {
    assertThat(ReadOnlyFilesystemErrors.diagnose(line)).as(kind).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void saysWhatToDoInTheWordsOfTheIssue() {
    var d = ReadOnlyFilesystemErrors.diagnose("nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed "
        + "(30: Read-only file system)").orElseThrow();
    assertThat(d.message("app")).isEqualTo("container app failed writing /var/cache/nginx/client_temp "
        + "(read-only file system); add /var/cache/nginx to cachePaths");
  }

  @org.junit.jupiter.api.Test
  void aLineWithoutAPathIsStillRecognised() {
    var d = ReadOnlyFilesystemErrors.diagnose("java.io.IOException: Read-only file system").orElseThrow();
    assertThat(d.path()).isNull();
    assertThat(d.message("app")).contains("read-only root filesystem").contains("cachePaths");
  }
}
