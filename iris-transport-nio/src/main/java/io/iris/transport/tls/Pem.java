package io.iris.transport.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads PEM: certificate chains and private keys from files (with BouncyCastle's {@code PEMParser},
 * converted to JDK key objects: no security provider is installed), one block from text
 * ({@link #decode}, used for JWT keys), and builds {@link SSLContext}s. Private keys may be PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC ({@code EC PRIVATE KEY});
 * encrypted keys are refused. Every failure is an {@link IllegalArgumentException}; the file readers
 * name the file.
 */
public final class Pem {
    /** Protocols Iris enables, newest first; nothing older than TLS 1.2 is ever offered or accepted. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private Pem() {
    }

    /**
     * @param file a PEM file with one or more {@code CERTIFICATE} blocks (other blocks are skipped).
     * @return the certificates in file order (for a chain: the leaf first).
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate.
     */
    public static List<X509Certificate> readCertificates(final Path file) {
        Objects.requireNonNull(file, "file");
        final List<X509Certificate> out = new ArrayList<>();
        final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder) {
                    out.add(converter.getCertificate((X509CertificateHolder) o));
                }
            }
        } catch (final IOException | CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read PEM certificates from " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no CERTIFICATE block in " + file);
        }
        return out;
    }

    /**
     * @param file a PEM file with one private key (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted.
     * @return the key.
     * @throws IllegalArgumentException if the file cannot be read, is encrypted or holds no key.
     */
    public static PrivateKey readPrivateKey(final Path file) {
        Objects.requireNonNull(file, "file");
        final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof PEMKeyPair) {
                    // not getKeyPair(): a SEC1 EC key may omit its public key
                    return converter.getPrivateKey(((PEMKeyPair) o).getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) o);
                }
                final String type = o.getClass().getSimpleName();
                if (type.contains("Encrypted")) {
                    throw new IllegalArgumentException("the private key in " + file
                        + " is encrypted; Iris needs an unencrypted key (protect the file with permissions)");
                }
            }
        } catch (final PEMException e) {
            throw new IllegalArgumentException("cannot decode the private key in " + file + ": " + e.getMessage(), e);
        } catch (final IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException("cannot read the private key from " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block in " + file);
    }

    /**
     * Checks that a private key belongs to a certificate's public key, by signing a probe and verifying it.
     *
     * @param key  the private key.
     * @param cert the certificate.
     * @return true if they form a pair.
     */
    public static boolean matches(final PrivateKey key, final X509Certificate cert) {
        final PublicKey pub = cert.getPublicKey();
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        final String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                algorithm = key.getAlgorithm();
                break;
            default:
                return true; // unknown kind: let the handshake decide
        }
        try {
            final byte[] probe = "iris-key-check".getBytes(StandardCharsets.US_ASCII);
            final Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            final byte[] signature = s.sign();
            s.initVerify(pub);
            s.update(probe);
            return s.verify(signature);
        } catch (final GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * @param certificates trusted CA certificates.
     * @return a trust store (in memory, type PKCS12) holding them.
     */
    public static KeyStore trustStore(final List<X509Certificate> certificates) {
        try {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (final X509Certificate c : certificates) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            return ks;
        } catch (final GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build an in-memory trust store", e);
        }
    }

    /**
     * Builds a key manager factory for one certificate chain and key.
     *
     * @param chain the chain, leaf first.
     * @param key   the leaf's private key.
     * @return an initialised factory.
     */
    static KeyManagerFactory keyManagers(final List<X509Certificate> chain, final PrivateKey key)
        throws GeneralSecurityException {
        final char[] password = new char[0];
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (final IOException e) {
            throw new GeneralSecurityException(e);
        }
        ks.setKeyEntry("key", key, password, chain.toArray(new Certificate[0]));
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf;
    }

    /**
     * @param trusted CA certificates.
     * @return an initialised trust manager factory (PKIX) that trusts exactly them.
     */
    static TrustManagerFactory trustManagers(final List<X509Certificate> trusted) throws GeneralSecurityException {
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(trusted));
        return tmf;
    }

    /**
     * Builds a client-side context: trusts the CA certificates of {@code caFile} (or the JDK's default
     * trust store when null) and presents a client certificate when {@code certFile} and {@code keyFile}
     * are given (for servers with client authentication).
     *
     * @param caFile   PEM CA certificates to trust, or null for the JDK default trust store.
     * @param certFile PEM client certificate chain, or null.
     * @param keyFile  PEM private key of that certificate, or null (both or neither).
     * @return the context.
     * @throws IllegalArgumentException if a file is unreadable, or the key does not match the certificate.
     */
    public static SSLContext clientContext(final Path caFile, final Path certFile, final Path keyFile) {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs both a certificate file and a key file");
        }
        try {
            final TrustManagerFactory tmf;
            if (caFile != null) {
                tmf = trustManagers(readCertificates(caFile));
            } else {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (certFile != null) {
                final List<X509Certificate> chain = readCertificates(certFile);
                final PrivateKey key = readPrivateKey(keyFile);
                if (!matches(key, chain.get(0))) {
                    throw new IllegalArgumentException("the private key in " + keyFile
                        + " does not belong to the first certificate in " + certFile);
                }
                kmf = keyManagers(chain, key);
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one PEM block (RFC 7468) from text: {@code -----BEGIN LABEL-----}, base64 of DER,
     * {@code -----END LABEL-----}. Strict about the body: whitespace (line breaks of any style) is removed,
     * then the rest must be standard base64, so stray characters are an error rather than silently skipped
     * (as the JDK's MIME decoder would). Text outside the block is ignored, as RFC 7468 allows. Used for
     * keys given as text (JWT keys).
     *
     * @param text  the PEM text.
     * @param label the block label, e.g. {@code PUBLIC KEY}.
     * @return the DER bytes of the one block with that label.
     * @throws IllegalArgumentException if there is not exactly one such block or its body is not base64.
     */
    public static byte[] decode(final String text, final String label) {
        final String begin = "-----BEGIN " + label + "-----";
        final String end = "-----END " + label + "-----";
        final int from = text.indexOf(begin);
        final int to = from < 0 ? -1 : text.indexOf(end, from);
        if (from < 0 || to < 0 || text.indexOf(begin, from + 1) >= 0) {
            throw new IllegalArgumentException("expected exactly one '" + begin + "' ... '" + end + "' block");
        }
        final String body = text.substring(from + begin.length(), to).replaceAll("\\s+", "");
        try {
            return java.util.Base64.getDecoder().decode(body);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + label + " block is not valid base64");
        }
    }

    /**
     * @param type  the PEM block type, e.g. {@code CERTIFICATE} or {@code PRIVATE KEY}.
     * @param bytes the DER content.
     * @return the PEM text of one block.
     */
    public static String encode(final String type, final byte[] bytes) {
        final StringWriter s = new StringWriter();
        try (PemWriter w = new PemWriter(s)) {
            w.writeObject(new PemObject(type, bytes));
        } catch (final IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return s.toString();
    }
}
