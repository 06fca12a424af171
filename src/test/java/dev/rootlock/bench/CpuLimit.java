package dev.rootlock.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pod's CPU limit for a benchmark JVM: deploy/operator.yaml sets {@code limits.cpu: "1"},
 * which the kubelet turns into a CFS quota of 100 ms per 100 ms period on the container's cgroup.
 * The same quota is set here on a cgroup of the process's own, so that the operator (and the
 * floor, alike) can no more use both of this machine's cores in a burst than in its pod, where the
 * burst would leave the API server and the controllers alone. Linux cgroup v1 ({@code
 * /sys/fs/cgroup/cpu}) or v2 ({@code cpu.max}); where neither can be written (no root, no
 * cgroup), {@link #applied} is false and the run says so.
 *
 * @param cgroup the directory of the cgroup, or null when the limit cannot be applied
 * @param reason why not, when it cannot
 */
record CpuLimit(Path cgroup, String reason) {
  private static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
  private static final Path V2 = Path.of("/sys/fs/cgroup");
  /** CFS period and quota of a 1 CPU limit, as the kubelet sets them (microseconds). */
  private static final long PERIOD_US = 100_000;
  private static final long QUOTA_US = 100_000;

  static CpuLimit none(String reason) {
    return new CpuLimit(null, reason);
  }

  /** A fresh cgroup named {@code name} with a 1 CPU quota, or why there is none. */
  static CpuLimit oneCpu(String name) {
    if (!Boolean.parseBoolean(System.getProperty("bench.cpuLimit", "true"))) {
      return none("-Dbench.cpuLimit=false");
    }
    try {
      if (Files.isWritable(V1)) {
        Path dir = fresh(V1.resolve(name));
        Files.writeString(dir.resolve("cpu.cfs_period_us"), String.valueOf(PERIOD_US));
        Files.writeString(dir.resolve("cpu.cfs_quota_us"), String.valueOf(QUOTA_US));
        return new CpuLimit(dir, null);
      }
      if (Files.exists(V2.resolve("cgroup.controllers")) && Files.isWritable(V2)) {
        Path dir = fresh(V2.resolve(name));
        Files.writeString(dir.resolve("cpu.max"), QUOTA_US + " " + PERIOD_US);
        return new CpuLimit(dir, null);
      }
      return none("no writable cpu cgroup (" + V1 + " or " + V2 + ")");
    } catch (IOException | RuntimeException e) {
      return none("cgroup not writable: " + e.getMessage());
    }
  }

  private static Path fresh(Path dir) throws IOException {
    if (Files.exists(dir)) {
      Files.delete(dir); // an empty cgroup left by an earlier run
    }
    return Files.createDirectory(dir);
  }

  boolean applied() {
    return cgroup != null;
  }

  /** {@code command}, started inside the cgroup from its first instruction (the shell joins, then execs). */
  List<String> wrap(List<String> command) {
    if (!applied()) {
      return command;
    }
    List<String> out = new ArrayList<>(List.of("sh", "-c",
        "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", cgroup.toString()));
    out.addAll(command);
    return out;
  }

  /** Throttled periods and time, from cpu.stat: how often the quota held the process back. */
  String throttling() {
    if (!applied()) {
      return "no CPU limit (" + reason + ")";
    }
    try {
      String stat = Files.readString(cgroup.resolve("cpu.stat"));
      long periods = 0;
      long throttled = 0;
      double throttledSeconds = 0;
      for (String line : stat.split("\n")) {
        String[] kv = line.trim().split("\\s+");
        if (kv.length != 2) {
          continue;
        }
        switch (kv[0]) {
          case "nr_periods" -> periods = Long.parseLong(kv[1]);
          case "nr_throttled" -> throttled = Long.parseLong(kv[1]);
          case "throttled_time" -> throttledSeconds = Long.parseLong(kv[1]) / 1e9; // v1: nanoseconds
          case "throttled_usec" -> throttledSeconds = Long.parseLong(kv[1]) / 1e6; // v2: microseconds
          default -> { }
        }
      }
      return String.format("limit 1 CPU: throttled in %d of %d periods, %.2f s in all", throttled, periods,
          throttledSeconds);
    } catch (IOException | RuntimeException e) {
      return "limit 1 CPU (cpu.stat unreadable: " + e.getMessage() + ")";
    }
  }

  /** Removes the cgroup once its process has exited (best effort: a leftover is reused next time). */
  void remove() {
    if (applied()) {
      try {
        Files.deleteIfExists(cgroup);
      } catch (IOException | RuntimeException leftOver) {
        // still busy: the next run deletes it before creating it afresh
      }
    }
  }
}
