package dev.rootlock.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says a process has used so far, from {@code /proc/<pid>}: the same source for the
 * operator (read by the benchmark while it runs) and the floor (read by itself before it exits).
 *
 * @param cpuSeconds user + system CPU seconds ({@code stat} fields 14 and 15)
 * @param peakRssKb the resident set's high-water mark ({@code VmHWM} of {@code status}), kB
 */
record ProcFigures(double cpuSeconds, long peakRssKb) {
  /** /proc times are in clock ticks; 100 per second on every Linux this runs on (getconf CLK_TCK). */
  static final double TICKS_PER_SECOND = 100.0;

  /** Reads {@code dir/stat} and {@code dir/status}: {@code /proc/<pid>} or {@code /proc/self}. */
  static ProcFigures read(Path dir) {
    try {
      return of(Files.readString(dir.resolve("stat")), Files.readString(dir.resolve("status")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + " (has the process ended?)", e);
    }
  }

  static ProcFigures of(String stat, String status) {
    return new ProcFigures(ticks(stat) / TICKS_PER_SECOND, peakRssKb(status));
  }

  /**
   * utime + stime: fields 14 and 15 of a {@code stat} line, counted after the ")" that ends the
   * name (a thread or process name may itself hold spaces and parentheses).
   */
  static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** {@code VmHWM:    123456 kB} of a {@code status} file, in kB. */
  static long peakRssKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.substring("VmHWM:".length()).replace("kB", "").trim());
      }
    }
    throw new IllegalArgumentException("no VmHWM line in the process status (a kernel thread, or not Linux?)");
  }
}
