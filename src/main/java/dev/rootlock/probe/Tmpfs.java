package dev.rootlock.probe;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;

/** tmpfs mount options as Docker, Podman and Compose read them. */
public final class Tmpfs {
  private Tmpfs() {}

  /**
   * {@code size=64m,mode=1777}: a Kubernetes quantity in the engines' units (binary k, m, g, as
   * Docker's RAMInBytes parses them), else in bytes; mode 1777 so that any user can write, as in
   * a memory-backed emptyDir.
   */
  public static String options(Quantity sizeLimit) {
    return "size=" + size(sizeLimit) + ",mode=1777";
  }

  /** 64Mi is "64m", 1Gi "1g", 512Ki "512k"; anything else ("100M") its number of bytes. */
  public static String size(Quantity q) {
    BigDecimal bytes = Quantity.getAmountInBytes(q);
    String[] units = {"g", "m", "k"};
    long[] factors = {1L << 30, 1L << 20, 1L << 10};
    for (int i = 0; i < units.length; i++) {
      BigDecimal[] qr = bytes.divideAndRemainder(BigDecimal.valueOf(factors[i]));
      if (qr[1].signum() == 0 && qr[0].signum() > 0) {
        return qr[0].toBigInteger() + units[i];
      }
    }
    return bytes.toBigInteger().toString();
  }
}
