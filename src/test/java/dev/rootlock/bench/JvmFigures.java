package dev.rootlock.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;
import java.util.TreeMap;

/** This JVM's heap after GC and CPU by thread group, for the in-process benchmark. */
final class JvmFigures {
  private JvmFigures() {}

  /**
   * CPU time of live threads by what they do: the mock server's event loop, the operator's
   * reconcilers, HTTP clients, informers, the stand-in controller. Threads that ended are not
   * counted (the JDK HTTP client starts one per response on a 2-core machine).
   */
  static Map<String, Long> threadCpuByGroup() {
    var threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> byGroup = new TreeMap<>();
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      String name = info.getThreadName();
      String group = name.startsWith("vert.x-eventloop") ? "mock server"
          : name.startsWith("ReconcilerExecutor") || name.matches("pool-\\d+-thread-\\d+") ? "reconcilers (and floor pool)"
          : name.startsWith("test-") ? "stand-in controller"
          : name.contains("HttpClient") ? "HTTP clients"
          : name.startsWith("Informer") || name.contains("informer") ? "informers"
          : name.startsWith("rootlock-events") ? "event writer"
          : name.equals("main") ? "main" : "other";
      if (nanos > 0) {
        byGroup.merge(group, nanos, Long::sum);
      }
    }
    // Not a thread's CPU: the JIT compilers' threads are not Java threads, and their work competes
    // for this machine's two cores with the process under test (compile time is wall time, ms).
    var jit = ManagementFactory.getCompilationMXBean();
    if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
      byGroup.put("(JIT compiling, wall)", jit.getTotalCompilationTime() * 1_000_000);
    }
    return byGroup;
  }

  static double processCpuSeconds() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : -1;
  }

  /** Heap used right after garbage collections: forced ones for the differences, sampled for the peak. */
  static final class HeapWatch {
    private long peak;

    long usedAfterGc() {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      peak = Math.max(peak, used);
      return used;
    }

    void sample() {
      long afterLastGc = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
          afterLastGc += pool.getCollectionUsage().getUsed();
        }
      }
      peak = Math.max(peak, afterLastGc);
    }

    long peak() {
      return peak;
    }
  }
}
