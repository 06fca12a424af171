package dev.rootlock.engine;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A writable path as a tmpfs mount outside Kubernetes: the options Docker, Podman and Compose
 * read, for {@code plan} on Compose files and for {@code probe}.
 */
public final class Tmpfs {
  /** Any user may write, as in a memory-backed emptyDir (the app's user is not known here). */
  public static final String MODE = "1777";
  private static final BigInteger[] UNITS = {BigInteger.ONE.shiftLeft(30), BigInteger.ONE.shiftLeft(20),
      BigInteger.ONE.shiftLeft(10)};
  private static final String[] SUFFIXES = {"g", "m", "k"};

  private Tmpfs() {}

  /** {@code size=64m,mode=1777} for a size limit of 64Mi. */
  public static String options(Quantity sizeLimit) {
    return "size=" + size(sizeLimit) + ",mode=" + MODE;
  }

  /**
   * A Kubernetes quantity as Docker's tmpfs {@code size=} option, which is read with binary units
   * (k = 1024): 64Mi is {@code 64m}, 1Gi {@code 1g}; a size that is no whole number of those units
   * (100M) is given in bytes. Fractions of a byte round up.
   */
  public static String size(Quantity q) {
    BigInteger bytes = Quantity.getAmountInBytes(q).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    for (int i = 0; i < UNITS.length; i++) {
      BigInteger[] qr = bytes.divideAndRemainder(UNITS[i]);
      if (qr[1].signum() == 0 && qr[0].signum() > 0) {
        return qr[0] + SUFFIXES[i];
      }
    }
    return bytes.toString();
  }
}
