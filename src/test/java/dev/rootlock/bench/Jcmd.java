package dev.rootlock.bench;

import dev.rootlock.testing.JdkTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What jcmd tells about another running JVM: its heap after a full GC, and its performance counters. */
final class Jcmd {
  private static final Pattern GENERATION_USED = Pattern.compile("total \\d+K, used (\\d+)K");

  private Jcmd() {}

  /** Heap used, in bytes, right after a full GC of the JVM {@code pid} (every generation summed). */
  static long heapAfterGc(long pid) throws IOException, InterruptedException {
    run(pid, "GC.run");
    Matcher m = GENERATION_USED.matcher(run(pid, "GC.heap_info"));
    long kb = 0;
    while (m.find()) {
      kb += Long.parseLong(m.group(1));
    }
    return kb * 1024;
  }

  /**
   * The counters that say where a cold JVM's time went: classes loaded and the time spent loading
   * them, JIT compilation time, GC time (in seconds; counts as counts).
   */
  static Map<String, Double> counters(long pid) throws IOException, InterruptedException {
    Map<String, Long> raw = new TreeMap<>();
    for (String line : run(pid, "PerfCounter.print").split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(eq + 1).matches("-?\\d+")) {
        raw.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
      }
    }
    double hz = raw.getOrDefault("sun.os.hrt.frequency", 1_000_000_000L);
    Map<String, Double> out = new TreeMap<>();
    out.put("classes loaded", (double) raw.getOrDefault("java.cls.loadedClasses", 0L)
        + raw.getOrDefault("java.cls.sharedLoadedClasses", 0L));
    out.put("of which from the CDS archive", (double) raw.getOrDefault("java.cls.sharedLoadedClasses", 0L));
    out.put("class loading time (s)", raw.getOrDefault("sun.cls.time", 0L) / hz);
    out.put("JIT compile time (s)", raw.getOrDefault("java.ci.totalTime", 0L) / hz);
    out.put("methods compiled", (double) raw.getOrDefault("sun.ci.totalCompiles", 0L));
    double gc = 0;
    for (int i = 0; i < 4; i++) {
      gc += raw.getOrDefault("sun.gc.collector." + i + ".time", 0L) / hz;
    }
    out.put("GC pause time (s)", gc);
    return out;
  }

  private static String run(long pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(JdkTools.tool("jcmd"), String.valueOf(pid), command).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
