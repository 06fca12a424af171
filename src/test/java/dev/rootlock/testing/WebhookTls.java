package dev.rootlock.testing;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client context that checks the webhook's certificate the way the API server does: the
 * chain must lead to the CA from the webhook configuration's caBundle, and the certificate must
 * name the Service ({@code rootlock-webhook.<namespace>.svc}). Tests reach the server on
 * localhost, so the name is checked against the Service's, not the address dialled.
 */
public final class WebhookTls {
  private WebhookTls() {}

  public static SSLContext trusting(String caPem, String serviceName) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (var c : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8)))) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    X509TrustManager pkix = (X509TrustManager) tmf.getTrustManagers()[0];
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new ServiceNameTrust(pkix, serviceName)}, null);
    return ctx;
  }

  private static final class ServiceNameTrust extends X509ExtendedTrustManager {
    private final X509TrustManager pkix;
    private final String serviceName;

    ServiceNameTrust(X509TrustManager pkix, String serviceName) {
      this.pkix = pkix;
      this.serviceName = serviceName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      pkix.checkServerTrusted(chain, authType);
      boolean named = chain[0].getSubjectAlternativeNames() != null && chain[0].getSubjectAlternativeNames().stream()
          .anyMatch(n -> Integer.valueOf(2).equals(n.get(0)) && serviceName.equals(n.get(1)));
      if (!named) {
        throw new CertificateException("the webhook certificate does not name " + serviceName);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a client only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a client only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a client only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return pkix.getAcceptedIssuers();
    }
  }
}
