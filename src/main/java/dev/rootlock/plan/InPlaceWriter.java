package dev.rootlock.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --write}: every changed file rewritten in place with its planned text, in which only the
 * lines hardening needs differ from what was read. Unchanged files are not touched (not even their
 * modification time).
 */
final class InPlaceWriter {
  private InPlaceWriter() {}

  /** @return the files written */
  static List<String> write(Plan plan) throws IOException {
    List<String> written = new ArrayList<>();
    for (Plan.FilePlan f : plan.files()) {
      if (!f.changed()) {
        continue;
      }
      Path file = Path.of(f.source());
      // written in place (not replaced by a new file), so permissions, links and ownership stay
      Files.writeString(file, f.planned(), StandardCharsets.UTF_8);
      written.add(f.source());
    }
    return written;
  }
}
