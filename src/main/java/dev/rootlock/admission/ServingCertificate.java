package dev.rootlock.admission;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key and certificate the webhook serves, swappable while it serves: a rotated certificate
 * takes effect with the next TLS handshake, without restarting the server or dropping requests.
 */
public final class ServingCertificate {
  private static final String ALIAS = "rootlock-webhook";

  private record Current(PrivateKey key, X509Certificate[] chain) {}

  private final AtomicReference<Current> current = new AtomicReference<>();

  /** True once a certificate has been loaded: until then the webhook cannot serve. */
  public boolean isLoaded() {
    return current.get() != null;
  }

  /**
   * Serves {@code certPem} (the serving certificate, optionally followed by its chain) with {@code keyPem}.
   *
   * @throws IOException when either does not parse or the key does not belong to the certificate
   */
  public void load(String certPem, String keyPem) throws IOException {
    try {
      X509Certificate[] chain = CertificateAuthority.certificates(certPem).toArray(X509Certificate[]::new);
      if (chain.length == 0) {
        throw new IOException("tls.crt holds no certificate");
      }
      PrivateKey key = CertificateAuthority.privateKey(keyPem);
      if (!key.getAlgorithm().equals(chain[0].getPublicKey().getAlgorithm())) {
        throw new IOException("tls.key is a " + key.getAlgorithm() + " key, the certificate's is "
            + chain[0].getPublicKey().getAlgorithm());
      }
      current.set(new Current(key, chain));
    } catch (CertificateException e) {
      throw new IOException("tls.crt does not parse: " + e.getMessage(), e);
    }
  }

  /** When the certificate served now expires; null before one is loaded. */
  public Instant notAfter() {
    Current c = current.get();
    return c == null ? null : c.chain()[0].getNotAfter().toInstant();
  }

  /** A TLS context whose server key is always the one loaded last. */
  public SSLContext sslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {new SwappingKeyManager()}, null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK offers no TLS", e);
    }
  }

  private final class SwappingKeyManager extends X509ExtendedKeyManager {
    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return isLoaded() ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return isLoaded() ? ALIAS : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Current c = current.get();
      return c == null ? null : c.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Current c = current.get();
      return c == null ? null : c.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return isLoaded() ? new String[] {ALIAS} : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null; // a server only
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
