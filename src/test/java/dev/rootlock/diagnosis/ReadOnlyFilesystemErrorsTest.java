package dev.rootlock.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The recogniser's rules one at a time; {@link RealFailuresTest} runs the table of real output. */
class ReadOnlyFilesystemErrorsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      nginx mkdir        | nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)                    | /var/cache/nginx | cachePaths | LEARN
      nginx pid          | 2024/01/10 10:00:00 [emerg] 1#1: open() "/var/run/nginx.pid" failed (30: Read-only file system)              | /var/run | cachePaths | LEARN
      nginx error log    | nginx: [alert] could not open error log file: open() "/var/log/nginx/error.log" failed (30: Read-only file system) | /var/log/nginx | cachePaths | LEARN
      nginx entrypoint   | /docker-entrypoint.sh: 10: cannot create /etc/nginx/conf.d/default.conf: Read-only file system                | /etc/nginx/conf.d | seedPaths | SEED
      java nio           | java.nio.file.FileSystemException: /tmp/hsperfdata_root: Read-only file system                               | /tmp | tmpPaths | LEARN
      java caused by     | Caused by: java.nio.file.FileSystemException: /app/logs/app.log: Read-only file system                      | /app/logs | cachePaths | LEARN
      java io            | java.io.FileNotFoundException: /var/lib/app/data.db (Read-only file system)                                  | /var/lib/app | cachePaths | LEARN
      java tomcat        | java.io.IOException: Read-only file system: /usr/local/tomcat/work/Catalina: Read-only file system          | /usr/local/tomcat/work | seedPaths | SEED
      python pycache     | OSError: [Errno 30] Read-only file system: '/app/__pycache__'                                               | /app/__pycache__ | cachePaths | LEARN
      python tempfile    | OSError: [Errno 30] Read-only file system: '/tmp/tmpa1b2c3d4'                                               | /tmp | tmpPaths | LEARN
      python logging     | OSError: [Errno 30] Read-only file system: '/var/log/app/app.log'                                           | /var/log/app | cachePaths | LEARN
      file in /app       | OSError: [Errno 30] Read-only file system: '/app/app.log'                                                   | /app | cachePaths | HIDES_IMAGE_FILES
      node next cache    | Error: EROFS: read-only file system, open '/app/.next/cache/webpack/client.pack'                           | /app/.next/cache/webpack | cachePaths | LEARN
      node npm           | npm ERR! Error: EROFS: read-only file system, mkdir '/home/node/.npm/_cacache'                             | /home/node/.npm | cachePaths | LEARN
      node mkdtemp       | [Error: EROFS: read-only file system, mkdtemp '/tmp/upload-XXXXXX'] { errno: -30, code: 'EROFS' }            | /tmp | tmpPaths | LEARN
      go open            | open /data/badger/MANIFEST: read-only file system                                                          | /data/badger | cachePaths | LEARN
      go mkdir           | mkdir /var/lib/grafana/plugins: read-only file system                                                      | /var/lib/grafana | cachePaths | LEARN
      go panic           | panic: listen unix /tmp/app.sock: bind: read-only file system                                              | /tmp | tmpPaths | LEARN
      go logfmt          | level=error msg="cannot save state" err="open /var/lib/app/state.json: read-only file system"              | /var/lib/app | cachePaths | LEARN
      coreutils touch    | touch: cannot touch '/var/run/app.pid': Read-only file system                                              | /var/run | cachePaths | LEARN
      coreutils mkdir    | mkdir: cannot create directory '/var/cache/apt/archives': Read-only file system                            | /var/cache/apt | cachePaths | LEARN
      coreutils C quote  | mkdir: cannot create directory `/var/cache/app': Read-only file system                                     | /var/cache | cachePaths | LEARN
      coreutils cp       | cp: cannot create regular file '/etc/app/config.yml': Read-only file system                                | /etc/app | seedPaths | SEED
      bash redirect      | /entrypoint.sh: line 12: /etc/nginx/nginx.conf: Read-only file system                                       | /etc/nginx | seedPaths | SEED
      busybox sh         | sh: can't create /var/run/app.pid: Read-only file system                                                    | /var/run | cachePaths | LEARN
      sed in place       | sed: couldn't open temporary file /etc/nginx/sedX1Y2Z3: Read-only file system                               | /etc/nginx | seedPaths | SEED
      postgres lock      | FATAL:  could not open lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system             | /var/run/postgresql | cachePaths | LEARN
      redis rdb          | Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving: Read-only file system     | /data | cachePaths | LEARN
      mysql errcode      | mysqld: Can't create/write to file '/var/lib/mysql/is_writable' (Errcode: 30 "Read-only file system")      | /var/lib/mysql | cachePaths | LEARN
      ruby mkdir         | Read-only file system @ dir_s_mkdir - /srv/app/tmp/cache (Errno::EROFS)                                    | /srv/app/tmp | cachePaths | LEARN
      rust quoted        | Error: failed to create "/var/lib/app/db.lock": Os { code: 30, kind: ReadOnlyFilesystem, message: "Read-only file system" } | /var/lib/app | cachePaths | LEARN
      scripts dir        | cp: cannot create regular file '/opt/app/scripts/run.sh': Read-only file system                            | /opt/app/scripts | seedPaths | SEED
      bin dir            | open /srv/tool/bin/helper: read-only file system                                                           | /srv/tool/bin | seedPaths | SEED
      dev shm            | OSError: [Errno 30] Read-only file system: '/dev/shm/x.lock'                                                | /dev/shm | cachePaths | RUNTIME_MANAGED
      pidfile            | could not write pidfile /run/app/app.pid                                                                    | /run/app | cachePaths | LEARN
      quarkus tmp        | Temporary directory /tmp does not exist and it was not possible to create it                               | /tmp | tmpPaths | LEARN
      dotted normalised  | open /var//cache/./app/../nginx/x.tmp: read-only file system                                               | /var/cache/nginx | cachePaths | LEARN
      ellipsis           | mkdir() "/var/cache/nginx/client_te…" failed (30: Read-only file system)                                    | /var/cache/nginx | cachePaths | LEARN
      etc itself         | sed: cannot rename /etc/sedX1Y2Z3: Read-only file system                                                    | /etc | cachePaths | HIDES_IMAGE_FILES
      usr lib itself     | cp: cannot create regular file '/usr/lib/libx.so': Read-only file system                                   | /usr/lib | cachePaths | HIDES_IMAGE_FILES
      kubelet file       | sed: cannot rename /etc/resolv.conf: Read-only file system                                                   | /etc | cachePaths | HIDES_IMAGE_FILES
      sa token           | open /var/run/secrets/kubernetes.io/serviceaccount/x: read-only file system                                 | /var/run/secrets/kubernetes.io/serviceaccount | cachePaths | RUNTIME_MANAGED
      laravel bootstrap  | file_put_contents(/var/www/app/bootstrap/cache/packages.php): Failed to open stream: Read-only file system   | /var/www/app/bootstrap/cache | seedPaths | SEED
      typo3conf          | fopen(/app/web/typo3conf/LocalConfiguration.php): Read-only file system                                    | /app/web/typo3conf | seedPaths | SEED
      mkdir leaf in etc  | mkdir: cannot create directory '/etc/nginx/ssl': Read-only file system                                       | /etc/nginx/ssl | cachePaths | LEARN
      mkdir leaf usr     | mkdir: cannot create directory '/usr/local/app': Read-only file system                                      | /usr/local/app | cachePaths | LEARN
      pip cache          | OSError: [Errno 30] Read-only file system: '/root/.cache/pip/http/a/b'                                      | /root/.cache/pip | cachePaths | LEARN
      huggingface cache  | OSError: [Errno 30] Read-only file system: '/home/app/.cache/huggingface/hub/models--bert/blobs'            | /home/app/.cache/huggingface | cachePaths | LEARN
      yarn v1 root cache | Error: EROFS: read-only file system, mkdir '/usr/local/share/.cache/yarn/v6/npm-x'                           | /usr/local/share/.cache/yarn | cachePaths | LEARN
      go build cache     | open /root/.cache/go-build/3f/3f1c-d: read-only file system                                                | /root/.cache/go-build | cachePaths | LEARN
      go module cache    | mkdir /go/pkg/mod/cache/download/golang.org: read-only file system                                         | /go/pkg/mod | cachePaths | LEARN
      maven repository   | java.nio.file.FileSystemException: /root/.m2/repository/org/x/x.pom.part: Read-only file system            | /root/.m2 | cachePaths | LEARN
      gradle user home   | java.io.FileNotFoundException: /home/gradle/.gradle/caches/8.5/x.lock (Read-only file system)                | /home/gradle/.gradle | cachePaths | LEARN
      npm moved cache    | npm ERR! rofs EROFS: read-only file system, open '/srv/npm-cache/_cacache/tmp/1'                          | /srv/npm-cache | cachePaths | LEARN
      go cache disabled  | go: disabling cache (/.cache/go-build) due to initialization failure: mkdir /.cache: read-only file system | /.cache/go-build | cachePaths | LEARN
      hf hub moved       | OSError: [Errno 30] Read-only file system: '/models/hub/models--bert-base/refs/main'                       | /models/hub | cachePaths | LEARN
      cargo home         | error: failed to open: /home/dev/.cargo/registry/index/x/.package-cache: Read-only file system (os error 30) | /home/dev/.cargo | cachePaths | LEARN
      mkdir in app dir   | mkdir: cannot create directory '/opt/app/plugins': Read-only file system                                  | /opt/app/plugins | cachePaths | LEARN
      mkdir in cache dir | mkdir: cannot create directory '/var/cache/app/plugins': Read-only file system                            | /var/cache/app | cachePaths | LEARN
      """)
  void findsTheDirectoryToDeclare(String runtime, String line, String directory, String field, PathSafety verdict) {
    Need n = ReadOnlyFilesystemErrors.diagnose("starting...\n" + line + "\nexiting").primary().orElseThrow();
    assertThat(n.directory()).as(runtime).isEqualTo(directory);
    assertThat(n.field()).as(runtime).isEqualTo(field);
    assertThat(n.safety()).as(runtime).isEqualTo(verdict);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      permission denied  | open /var/run/app.pid: permission denied
      disk full          | OSError: [Errno 28] No space left on device: '/tmp/x'
      not found          | java.io.FileNotFoundException: /etc/app/config.yml (No such file or directory)
      plain crash        | panic: runtime error: invalid memory address or nil pointer dereference
      read-only tx       | ERROR:  cannot execute INSERT in a read-only transaction
      """)
  void ignoresOtherFailures(String kind, String line) {
    assertThat(ReadOnlyFilesystemErrors.diagnose(line).needs()).as(kind).isEmpty();
  }

  @Test
  void ranksTheFatalLineAboveAnInfoLineAndReportsEveryDirectory() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        10-listen-on-ipv6-by-default.sh: info: can not modify /etc/nginx/conf.d/default.conf (read-only file system?)
        2022/03/04 17:05:32 [emerg] 1#1: mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)
        2022/03/04 17:05:32 [emerg] 1#1: open() "/var/log/nginx/error.log" failed (30: Read-only file system)
        """);
    assertThat(d.needs()).extracting(Need::directory)
        .containsExactly("/var/cache/nginx", "/var/log/nginx", "/etc/nginx/conf.d");
    assertThat(d.needs()).extracting(Need::severity)
        .containsExactly(Severity.FATAL, Severity.FATAL, Severity.INFO);
    assertThat(d.learnable()).containsExactly("/var/cache/nginx", "/var/log/nginx");
  }

  @Test
  void aSafeDirectorySeenOnlyOnAnInfoLineIsReportedButNotLearned() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("entrypoint: info: can not modify /var/cache/app/x (read-only "
        + "file system?)");
    assertThat(d.primary().orElseThrow().safety()).isEqualTo(PathSafety.LEARN);
    assertThat(d.learnable()).isEmpty();
  }

  @Test
  void aDirectoryNamedTwiceIsOneNeedAtItsMostSevereLine() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        WARN could not write /var/cache/app/a.tmp: read-only file system
        FATAL open /var/cache/app/b.tmp: read-only file system
        """);
    assertThat(d.needs()).hasSize(1);
    assertThat(d.needs().get(0).severity()).isEqualTo(Severity.FATAL);
    assertThat(d.needs().get(0).line()).startsWith("FATAL");
  }

  @Test
  void readsNodeErrorObjectsSpreadOverLines() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        node:fs:601
          handleErrorFromBinding(ctx);
        [Error: something failed] {
          errno: -30,
          syscall: 'open',
          code: 'EROFS',
          path: '/app/cache/state.json'
        }
        """);
    assertThat(d.primary().orElseThrow().directory()).isEqualTo("/app/cache");
  }

  @Test
  void aPathlessLineAddsNothingWhenAnotherLineNamesThePath() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        java.io.IOException: Read-only file system
        Caused by: java.nio.file.FileSystemException: /app/logs/app.log: Read-only file system
        """);
    assertThat(d.needs()).extracting(Need::directory).containsExactly("/app/logs");
  }

  @Test
  void aPathlessFailureIsStillRecognised() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("java.io.IOException: Read-only file system");
    Need n = d.primary().orElseThrow();
    assertThat(n.safety()).isEqualTo(PathSafety.NO_PATH);
    assertThat(d.message("app")).contains("read-only root filesystem").contains("cachePaths");
  }

  @Test
  void dotnetNamesNoPathButTheKnownFix() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("Failed to create CoreCLR, HRESULT: 0x8007000E");
    assertThat(d.learnable()).isEmpty();
    assertThat(d.message("api")).contains("add /tmp to tmpPaths").contains("DOTNET_EnableDiagnostics=0");
  }

  @Test
  void saysWhatToDoInTheWordsOfTheIssue() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed "
        + "(30: Read-only file system)");
    assertThat(d.message("app")).isEqualTo("container app failed writing /var/cache/nginx/client_temp "
        + "(read-only file system); add /var/cache/nginx to cachePaths");
  }

  @Test
  void aDirectoryOfTheImagesFilesIsToBeSeeded() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("sed: can't create temp file "
        + "'/etc/nginx/conf.d/default.confXXXXXX': Read-only file system");
    assertThat(d.message("web")).isEqualTo("container web failed writing /etc/nginx/conf.d/default.confXXXXXX "
        + "(read-only file system); /etc/nginx/conf.d holds the image's files: add it to seedPaths (an emptyDir "
        + "filled with them before the app starts)");
    assertThat(d.seedable()).containsExactly("/etc/nginx/conf.d");
    assertThat(d.learnable()).as("never a plain emptyDir over the image's files").isEmpty();
  }

  @Test
  void aWholeSystemTreeIsNamedWithWhatToDoInstead() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("sed: can't create temp file '/etc/passwdXXXXXX': Read-only "
        + "file system");
    assertThat(d.message("web")).isEqualTo("container web failed writing /etc/passwdXXXXXX (read-only file system); "
        + "an emptyDir at /etc would hide the image's files, so it is not added: configure the app to write "
        + "elsewhere");
    assertThat(d.seedable()).isEmpty();
    assertThat(d.learnable()).isEmpty();
  }

  @Test
  void aSeedOnAnInfoLineIsReportedButNotLearned() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("10-listen-on-ipv6-by-default.sh: info: can not modify "
        + "/etc/nginx/conf.d/default.conf (read-only file system?)");
    assertThat(d.primary().orElseThrow().safety()).isEqualTo(PathSafety.SEED);
    assertThat(d.seedable()).isEmpty();
  }

  @Test
  void aDirectoryInsideAnotherOneNamedAsSevereAddsNothing() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        cp: cannot create directory '/opt/app/conf/extra': Read-only file system
        cp: cannot create regular file '/opt/app/conf/app.conf': Read-only file system
        """);
    assertThat(d.needs()).extracting(Need::directory).containsExactly("/opt/app/conf");
    Diagnosis lessSevere = ReadOnlyFilesystemErrors.diagnose("""
        entrypoint: info: can not modify /var/cache/app/x.conf (read-only file system?)
        FATAL: mkdir /var/cache/app/tmp/y: read-only file system
        """);
    assertThat(lessSevere.needs()).as("an info line covers nothing that is fatal").hasSize(2);
  }

  @Test
  void aTemporaryDirectoryNamedInProseNeedsItsReadOnlyCauseBelow() {
    // constructed from the Jenkins form (docker-library/official-images#2583) with the read-only cause
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        Exception in thread "main" java.io.IOException: Jenkins has failed to create a temporary file in /scratch
        	at Main.extractFromJar(Main.java:368)
        Caused by: java.io.IOException: Read-only file system
        	at java.io.UnixFileSystem.createFileExclusively(Native Method)
        """);
    assertThat(d.primary().orElseThrow().directory()).isEqualTo("/scratch");
    assertThat(d.primary().orElseThrow().field()).isEqualTo("tmpPaths");
    Diagnosis tooFar = ReadOnlyFilesystemErrors.diagnose("failed to create a temporary file in /scratch\n"
        + "x\n".repeat(20) + "java.io.IOException: Read-only file system");
    assertThat(tooFar.primary().orElseThrow().safety()).as("a reason 20 lines down is not this one's")
        .isEqualTo(PathSafety.NO_PATH);
  }

  @Test
  void javaFramesSayWhatTheFailingLineWasDoing() {
    // Java 9+ prints the module before the frame
    Diagnosis temp = ReadOnlyFilesystemErrors.diagnose("""
        java.io.IOException: Read-only file system
        	at java.base/java.io.UnixFileSystem.createFileExclusively(Native Method)
        	at java.base/java.io.File.createTempFile(File.java:2129)
        """);
    assertThat(temp.learnable()).containsExactly("/tmp");
    // "java.nio.file.FileSystemException" reads as a file; the frames say a directory was created
    Diagnosis created = ReadOnlyFilesystemErrors.diagnose("""
        java.nio.file.FileSystemException: /var/cache/app/index: Read-only file system
        	at java.base/sun.nio.fs.UnixFileSystemProvider.createDirectory(UnixFileSystemProvider.java:438)
        	at java.base/java.nio.file.Files.createDirectory(Files.java:699)
        """);
    assertThat(created.learnable()).containsExactly("/var/cache/app");
    Diagnosis file = ReadOnlyFilesystemErrors.diagnose("""
        java.nio.file.FileSystemException: /opt/app/data/index: Read-only file system
        	at java.base/sun.nio.fs.UnixFileSystemProvider.newByteChannel(UnixFileSystemProvider.java:261)
        """);
    assertThat(file.primary().orElseThrow().directory()).as("a file written, not a directory made")
        .isEqualTo("/opt/app/data");
  }

  @Test
  void aTemporaryDirectoryWithoutAPathIsJavasOnlyWhenTheOutputIsAJvms() {
    Diagnosis jvm = ReadOnlyFilesystemErrors.diagnose("java.lang.IllegalStateException: Failed to create temporary "
        + "directory.");
    assertThat(jvm.learnable()).containsExactly("/tmp");
    assertThat(ReadOnlyFilesystemErrors.diagnose("Failed to create temporary directory.").needs())
        .as("the same words from a program that shows no JVM: no directory guessed").isEmpty();
  }

  @Test
  void aPathlessJavaIoExceptionWithoutATempFileFrameNamesNoDirectory() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("""
        java.io.IOException: Read-only file system
        	at java.io.FileOutputStream.open0(Native Method)
        """);
    assertThat(d.primary().orElseThrow().safety()).isEqualTo(PathSafety.NO_PATH);
  }

  @Test
  void aRelativePathWithoutWorkingDirectoryIsNotGuessed() {
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose("FATAL:  could not create lock file \"postmaster.pid\": "
        + "Read-only file system");
    assertThat(d.primary().orElseThrow().safety()).isEqualTo(PathSafety.RELATIVE);
    assertThat(d.learnable()).isEmpty();
    assertThat(d.message("db")).contains("postmaster.pid, relative to the image's working directory");
    Diagnosis known = ReadOnlyFilesystemErrors.diagnose("FATAL:  could not create lock file \"postmaster.pid\": "
        + "Read-only file system", new ContainerDirectories("/var/lib/postgresql/data", null));
    assertThat(known.learnable()).containsExactly("/var/lib/postgresql/data");
  }

  @Test
  void aProgramThatChangedDirectoryKeepsItsPathRelativeEvenWithAWorkingDirectory() {
    String postdrop = "postdrop: warning: mail_queue_enter: create file maildrop/615227.4142: Read-only file system";
    Diagnosis d = ReadOnlyFilesystemErrors.diagnose(postdrop, new ContainerDirectories("/", null));
    Need n = d.primary().orElseThrow();
    assertThat(n.safety()).isEqualTo(PathSafety.RELATIVE);
    assertThat(n.path()).isEqualTo("maildrop/615227.4142");
    assertThat(n.directory()).isNull();
    assertThat(d.learnable()).isEmpty();
    assertThat(d.message("mail")).isEqualTo("container mail failed writing maildrop/615227.4142, relative to postfix's "
        + "queue directory (postconf -h queue_directory; /var/spool/postfix by default) (read-only file system); find "
        + "that directory and add it to cachePaths: the container's working directory says nothing about it");
    // a program not known to change directory still resolves against the working directory
    Diagnosis wget = ReadOnlyFilesystemErrors.diagnose("Cannot write to 'tnyga' (Read-only file system).",
        new ContainerDirectories("/data/dl", null));
    assertThat(wget.learnable()).containsExactly("/data/dl");
  }

  @Test
  void aBareReasonTakesItsPathFromTheChainLinkAboveOnly() {
    Diagnosis chain = ReadOnlyFilesystemErrors.diagnose("""
        error: failed to write /srv/app/state/lock
        Caused by:
          Read-only file system (os error 30)
        """);
    assertThat(chain.learnable()).containsExactly("/srv/app/state");
    Diagnosis noPathAbove = ReadOnlyFilesystemErrors.diagnose("""
        error: failed to open: /srv/app/state/lock
        Caused by:
          permission check skipped
        Caused by:
          Read-only file system (os error 30)
        """);
    assertThat(noPathAbove.primary().orElseThrow().safety()).as("only the nearest link counts")
        .isEqualTo(PathSafety.NO_PATH);
    Diagnosis notBare = ReadOnlyFilesystemErrors.diagnose("""
        failed to open: /srv/app/state/lock
        error opening output file: Read-only file system
        """);
    assertThat(notBare.primary().orElseThrow().safety()).as("a line with words of its own is no chain link")
        .isEqualTo(PathSafety.NO_PATH);
  }

  @Test
  void severityComesFromTheLinesOwnLevel() {
    assertThat(Severity.of("2022/03/04 17:05:32 [emerg] 1#1: mkdir() failed")).isEqualTo(Severity.FATAL);
    assertThat(Severity.of("10-listen-on-ipv6-by-default.sh: info: can not modify")).isEqualTo(Severity.INFO);
    assertThat(Severity.of("t=2024 lvl=eror msg=\"x\" error=\"open /x: read-only file system\"")).isEqualTo(Severity.FATAL);
    assertThat(Severity.of("level=info msg=\"OSError: x\"")).isEqualTo(Severity.INFO);
    assertThat(Severity.of("OSError: [Errno 30] Read-only file system: '/x'")).isEqualTo(Severity.FATAL);
    assertThat(Severity.of("2023-01-01 0 [Warning] Could not open /x")).isEqualTo(Severity.WARNING);
    assertThat(Severity.of("W1129 12:00:00.000000 1 main.go:1] cannot write")).isEqualTo(Severity.WARNING);
    assertThat(Severity.of("sh: can't create /var/run/app.pid: Read-only file system")).isEqualTo(Severity.UNLABELED);
  }

  @Test
  void normalisesPaths() {
    assertThat(ImageLayout.normalise("/a//b/./c/../d/")).isEqualTo("/a/b/d");
    assertThat(ImageLayout.normalise("/../x")).isEqualTo("/x");
    assertThat(ImageLayout.normalise("./tmp/pids/")).isEqualTo("tmp/pids");
    assertThat(PrintedPath.clean("/var/cache/x.log:,")).isEqualTo("/var/cache/x.log");
    assertThat(PrintedPath.clean("/var/cache/ngi…")).isEqualTo("/var/cache/");
  }

  /** A context whose image holds {@code found} at the given directories and is unknown elsewhere. */
  private static ContainerDirectories image(java.util.Map<String, ImageDirectory> found) {
    return new ContainerDirectories("/", null, dir -> java.util.Optional.ofNullable(found.get(dir)));
  }

  private static Need only(String line, ContainerDirectories context) {
    return ReadOnlyFilesystemErrors.diagnose(line, context).needs().get(0);
  }

  @Test
  void whatTheImageHoldsDecidesWhereItIsKnownAndThePathWhereNot() {
    String tomcat = "java.io.FileNotFoundException: /usr/local/tomcat/logs/catalina.log (Read-only file system)";
    assertThat(only(tomcat, ContainerDirectories.UNKNOWN).safety()).as("by its path: under /usr")
        .isEqualTo(PathSafety.SEED);
    Need empty = only(tomcat, image(java.util.Map.of("/usr/local/tomcat/logs", ImageDirectory.EMPTY)));
    assertThat(empty.safety()).isEqualTo(PathSafety.LEARN);
    assertThat(empty.field()).isEqualTo(Need.CACHE_PATHS);
    assertThat(only(tomcat, image(java.util.Map.of("/usr/local/tomcat/logs", ImageDirectory.ABSENT))).safety())
        .isEqualTo(PathSafety.LEARN);

    String state = "touch: cannot touch '/srv/shop/state/orders.db': Read-only file system";
    assertThat(only(state, ContainerDirectories.UNKNOWN).safety()).isEqualTo(PathSafety.LEARN);
    Need holds = only(state, image(java.util.Map.of("/srv/shop/state", ImageDirectory.holding(0, 1, false))));
    assertThat(holds.safety()).as("even only an empty subdirectory is the image's").isEqualTo(PathSafety.SEED);
    assertThat(holds.field()).isEqualTo(Need.SEED_PATHS);
    assertThat(only(state, image(java.util.Map.of("/srv/shop/state", ImageDirectory.NOT_A_DIRECTORY))).safety())
        .as("no directory can be mounted over a file").isEqualTo(PathSafety.HIDES_IMAGE_FILES);
  }

  @Test
  void aFailedMkdirDeclaresItsParentOnlyWhenTheImageHasNothingThere() {
    String mkdir = "mkdir: cannot create directory '/usr/share/jenkins/ref/plugins': Read-only file system";
    Need parentHolds = only(mkdir, image(java.util.Map.of("/usr/share/jenkins/ref", ImageDirectory.holding(3, 0,
        false))));
    assertThat(parentHolds.directory()).as("the missing leaf hides nothing").isEqualTo("/usr/share/jenkins/ref/plugins");
    assertThat(parentHolds.safety()).isEqualTo(PathSafety.LEARN);

    Need parentEmpty = only(mkdir, image(java.util.Map.of("/usr/share/jenkins/ref", ImageDirectory.EMPTY)));
    assertThat(parentEmpty.directory()).isEqualTo("/usr/share/jenkins/ref");
    assertThat(parentEmpty.safety()).isEqualTo(PathSafety.LEARN);
  }

  @Test
  void systemTreesAndRuntimeManagedPlacesAreRefusedWithoutAskingTheImage() {
    java.util.List<String> asked = new java.util.ArrayList<>();
    ContainerDirectories context = new ContainerDirectories("/", null, dir -> {
      asked.add(dir);
      return java.util.Optional.of(ImageDirectory.EMPTY);
    });
    assertThat(only("/bin/sh: 1: cannot create /etc/app.conf: Read-only file system", context).safety())
        .isEqualTo(PathSafety.HIDES_IMAGE_FILES);
    assertThat(only("touch: cannot touch '/proc/sys/x': Read-only file system", context).safety())
        .isEqualTo(PathSafety.RUNTIME_MANAGED);
    assertThat(asked).isEmpty();
  }
}
