package dev.rootlock.admission;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's own small PKI, so that it needs no extra software: a CA and a serving certificate
 * for the webhook Service's DNS names, as PEM (the form a Kubernetes TLS Secret and a webhook's
 * {@code caBundle} hold). ECDSA P-256 keys: quick to make, accepted by every API server.
 */
public final class CertificateAuthority {
  /** The CA outlives many serving certificates, so a rotation never changes what the API server trusts. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration SERVING_VALIDITY = Duration.ofDays(365);
  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateAuthority() {}

  /**
   * One CA and the serving certificate it signed, PEM-encoded.
   *
   * @param caCert the CA certificate: the webhook configuration's caBundle
   */
  public record Material(String caCert, String caKey, String cert, String key) {}

  /** A new CA and a serving certificate for {@code dnsNames}, valid from a minute ago (clock skew). */
  public static Material issue(List<String> dnsNames, Instant now) {
    try {
      KeyPair ca = keyPair();
      X509Certificate caCert = caCertificate(ca, now);
      return renew(pem(caCert), pem(ca.getPrivate()), dnsNames, now);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue the webhook's certificates: " + e.getMessage(), e);
    }
  }

  /** A new serving certificate for {@code dnsNames} from an existing CA (PEM). */
  public static Material renew(String caCertPem, String caKeyPem, List<String> dnsNames, Instant now) {
    try {
      X509Certificate caCert = certificate(caCertPem);
      PrivateKey caKey = privateKey(caKeyPem);
      KeyPair serving = keyPair();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minusSeconds(60)), Date.from(now.plus(SERVING_VALIDITY)),
          new X500Name("CN=" + dnsNames.get(0)), serving.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      List<GeneralName> names = new ArrayList<>();
      // an IP address (a webhook url such as https://127.0.0.1:9443) is an iPAddress name: TLS
      // clients never match an IP against a dNSName
      dnsNames.forEach(n -> names.add(new GeneralName(isIpAddress(n) ? GeneralName.iPAddress : GeneralName.dNSName,
          n)));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(serving.getPublic()));
      X509Certificate cert = sign(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
      return new Material(caCertPem, caKeyPem, pem(cert), pem(serving.getPrivate()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue the webhook's serving certificate: " + e.getMessage(), e);
    }
  }

  private static X509Certificate caCertificate(KeyPair ca, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500Name("CN=rootlock-webhook-ca");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(CA_VALIDITY)), name, ca.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(ca.getPublic()));
    return sign(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509CertificateHolder holder) throws CertificateException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  /** The first certificate in a PEM text. */
  public static X509Certificate certificate(String pem) throws IOException, CertificateException {
    List<X509Certificate> all = certificates(pem);
    if (all.isEmpty()) {
      throw new IOException("no certificate in the PEM text");
    }
    return all.get(0);
  }

  /** Every certificate in a PEM text (a chain, or a caBundle with an old and a new CA). */
  public static List<X509Certificate> certificates(String pem) throws IOException, CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          out.add(sign(h));
        }
      }
    }
    return out;
  }

  /** A private key in PEM (PKCS#8 or SEC1 "EC PRIVATE KEY", as cert-manager writes either). */
  public static PrivateKey privateKey(String pem) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return c.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return c.getPrivateKey(info);
      }
      throw new IOException("no private key in the PEM text");
    }
  }

  /** A certificate, or a private key as PKCS#8 ("PRIVATE KEY", what most tools expect). */
  static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
    }
    return w.toString();
  }

  /** An IPv4 or IPv6 literal, as BouncyCastle's iPAddress name takes it. */
  static boolean isIpAddress(String name) {
    return org.bouncycastle.util.IPAddress.isValid(name);
  }
}
