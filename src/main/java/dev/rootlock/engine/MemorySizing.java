package dev.rootlock.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a container's memory-backed emptyDirs could turn hardening into OOM kills. Files in a
 * {@code medium: Memory} emptyDir are tmpfs pages charged to the memory cgroup of the container
 * that writes them, so a container mounting 192Mi of tmpfs under a 256Mi limit can be killed by
 * its own caches; one without a memory limit can fill the node's memory.
 */
public final class MemorySizing {
  private static final BigInteger HUNDRED = BigInteger.valueOf(100);

  private MemorySizing() {}

  /**
   * One finding per container whose memory-backed emptyDirs (injected and its own; a volume two
   * containers mount counts for both) may use more than {@code sharePercent} of its memory limit,
   * have no sizeLimit, or which has no memory limit at all while mounting any.
   */
  static List<Finding> risks(PodSpec spec, List<Container> containers, int sharePercent) {
    Map<String, Volume> volumes = new java.util.HashMap<>();
    Volumes.nonNull(spec.getVolumes()).forEach(v -> volumes.put(v.getName(), v));
    List<Finding> out = new ArrayList<>();
    for (Container c : containers) {
      BigInteger total = BigInteger.ZERO;
      Set<String> unbounded = new LinkedHashSet<>();
      Set<String> counted = new LinkedHashSet<>();
      for (VolumeMount m : Volumes.nonNull(c.getVolumeMounts())) {
        Volume v = volumes.get(m.getName());
        EmptyDirVolumeSource e = v == null ? null : v.getEmptyDir();
        if (e == null || !Volumes.MEMORY.equals(e.getMedium()) || !counted.add(m.getName())) {
          continue;
        }
        if (e.getSizeLimit() == null) {
          unbounded.add(m.getName());
        } else {
          total = total.add(bytes(e.getSizeLimit()));
        }
      }
      if (counted.isEmpty()) {
        continue;
      }
      Quantity limit = memoryLimit(c);
      String uses = "tmpfs may use up to " + format(total);
      if (!unbounded.isEmpty()) {
        out.add(risk(c, "memory emptyDir " + String.join(", ", unbounded) + " has no sizeLimit: tmpfs may use "
            + (limit == null ? "the node's memory" : "all of " + c.getName() + "'s " + limit + " limit")));
      } else if (limit == null) {
        out.add(risk(c, uses + " and " + c.getName() + " has no memory limit"));
      } else if (total.multiply(HUNDRED).compareTo(bytes(limit).multiply(BigInteger.valueOf(sharePercent))) > 0) {
        // the limit as the team wrote it (256M stays 256M), the sum in binary units like sizeLimits
        out.add(risk(c, uses + " of " + c.getName() + "'s " + limit + " limit"));
      }
    }
    return out;
  }

  private static Finding risk(Container c, String detail) {
    return new Finding(c.getName(), null, Finding.Kind.MEMORY_RISK, detail);
  }

  private static Quantity memoryLimit(Container c) {
    if (c.getResources() == null || c.getResources().getLimits() == null) {
      return null;
    }
    return c.getResources().getLimits().get("memory");
  }

  /** Whole bytes, rounded up: "1.5Gi", "256M", "1e9" and "128974848" all work. */
  static BigInteger bytes(Quantity q) {
    return Quantity.getAmountInBytes(q).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
  }

  /** 192Mi, 1Gi, 1536Mi; bytes that are no whole number of Ki as they are. */
  static String format(BigInteger bytes) {
    String[] units = {"Ti", "Gi", "Mi", "Ki"};
    for (int i = 0; i < units.length; i++) {
      BigInteger unit = BigInteger.ONE.shiftLeft(10 * (units.length - i));
      if (bytes.signum() > 0 && bytes.mod(unit).signum() == 0) {
        return bytes.divide(unit) + units[i];
      }
    }
    return new BigDecimal(bytes).toPlainString();
  }
}
