package dev.rootlock.probe;

import dev.rootlock.diagnosis.ImageDirectory;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the tar stream {@code docker cp ID:/dir -} and {@code podman cp} print for one path: its
 * first entry is the path itself (a directory, or a file), every later one lies below it. Only
 * headers are read (Commons Compress skips each entry's content), and only up to a limit: whether
 * a directory holds anything decides, not how much.
 */
final class DirectoryArchive {
  /** Entries counted before stopping: enough to say "holds files", small enough for a huge tree. */
  static final int COUNT_LIMIT = 1000;

  private DirectoryArchive() {}

  /**
   * @param limit stop counting after this many entries below the path (then {@code capped})
   * @return what the archive says is at the path, or null when the archive holds no entry or the
   *     path is a link (what it points to is not in the archive)
   * @throws IOException when the stream is not a tar archive
   */
  static ImageDirectory read(InputStream tar, int limit) throws IOException {
    TarArchiveInputStream in = new TarArchiveInputStream(tar);
    TarArchiveEntry top = in.getNextEntry();
    if (top == null || top.isSymbolicLink() || top.isLink()) {
      return null;
    }
    if (!top.isDirectory()) {
      return ImageDirectory.NOT_A_DIRECTORY;
    }
    int files = 0;
    int directories = 0;
    for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
      if (e.isDirectory()) {
        directories++;
      } else {
        files++;
      }
      if (files + directories >= limit) {
        return ImageDirectory.holding(files, directories, true);
      }
    }
    return files + directories == 0 ? ImageDirectory.EMPTY : ImageDirectory.holding(files, directories, false);
  }
}
