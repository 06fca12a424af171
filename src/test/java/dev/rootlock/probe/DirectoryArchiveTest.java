package dev.rootlock.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.diagnosis.ImageDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** The tar stream an engine's cp prints for one path, read into what the image holds there. */
class DirectoryArchiveTest {

  /** A tar with the given entries: a name ending in "/" is a directory, "name->target" a symlink. */
  static byte[] tar(String... names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (String name : names) {
        TarArchiveEntry e;
        if (name.contains("->")) {
          e = new TarArchiveEntry(name.substring(0, name.indexOf("->")), TarArchiveEntry.LF_SYMLINK);
          e.setLinkName(name.substring(name.indexOf("->") + 2));
        } else {
          e = new TarArchiveEntry(name);
        }
        byte[] content = name.endsWith("/") || name.contains("->") ? new byte[0]
            : ("content of " + name).getBytes(StandardCharsets.UTF_8);
        e.setSize(content.length);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  static ImageDirectory read(byte[] tar, int limit) throws IOException {
    return DirectoryArchive.read(new ByteArrayInputStream(tar), limit);
  }

  @Test
  void aDirectoryWithFilesAndSubdirectoriesIsCountedBelowItself() throws IOException {
    String deep = "conf.d/" + "x".repeat(120) + "/very-long-name.conf"; // past ustar's 100 characters
    ImageDirectory d = read(tar("conf.d/", "conf.d/default.conf", "conf.d/.hidden", "conf.d/" + "x".repeat(120)
        + "/", deep, "conf.d/link->default.conf"), 1000);

    assertThat(d).isEqualTo(ImageDirectory.holding(4, 1, false));
    assertThat(d.describe()).isEqualTo("holds 4 file(s) and 1 directory(ies) in the image");
  }

  @Test
  void anEmptyDirectoryAFileAndNothingAtAll() throws IOException {
    assertThat(read(tar("logs/"), 1000)).isEqualTo(ImageDirectory.EMPTY);
    assertThat(read(tar("hostname"), 1000)).isEqualTo(ImageDirectory.NOT_A_DIRECTORY);
    assertThat(read(tar(), 1000)).as("an archive with no entry tells nothing").isNull();
    assertThat(read(tar("run->/var/run"), 1000)).as("a link the engine did not follow tells nothing").isNull();
  }

  @Test
  void countingStopsAtTheLimitAndSaysItIsAtLeastThatMany() throws IOException {
    ImageDirectory d = read(tar("ref/", "ref/a.jpi", "ref/b.jpi", "ref/c.jpi", "ref/d.jpi"), 2);

    assertThat(d).isEqualTo(ImageDirectory.holding(2, 0, true));
    assertThat(d.describe()).isEqualTo("holds at least 2 file(s) in the image");
  }

  @Test
  void somethingThatIsNotATarIsAnError() {
    byte[] text = "Error: something went wrong\n".repeat(40).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(text, 1000)).isInstanceOf(IOException.class);
  }
}
