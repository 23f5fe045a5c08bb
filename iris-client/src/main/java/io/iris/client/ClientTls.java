package io.iris.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client's TLS layer, with the JDK alone: builds an {@link SSLContext} from PEM files and layers an
 * {@link SSLSocket} over a connected TCP socket (TLS 1.3 or 1.2 only, SNI and HTTPS-style host-name
 * verification on).
 *
 * <p>Why by hand: the client must not depend on BouncyCastle. {@link CertificateFactory} decodes the
 * certificates; private keys are read as PKCS#8 ({@code PRIVATE KEY}) and, wrapped into PKCS#8 with a few
 * bytes of DER, as PKCS#1 RSA ({@code RSA PRIVATE KEY}) and SEC1 EC ({@code EC PRIVATE KEY}); encrypted keys
 * are refused. Every failure is an {@link IllegalArgumentException} naming the file.
 */
final class ClientTls {
    /** Protocols the client enables, newest first; nothing older than TLS 1.2 is offered. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7,
        0x0D, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private ClientTls() {
    }

    /**
     * Builds a client context: trusts the CA certificates of {@code caFile} (or the JDK's default trust store
     * when null) and presents a client certificate when {@code certFile} and {@code keyFile} are given.
     *
     * @param caFile   PEM CA certificates to trust, or null for the JDK default trust store.
     * @param certFile PEM client certificate chain, or null.
     * @param keyFile  PEM private key of that certificate, or null (both or neither).
     * @return the context.
     * @throws IllegalArgumentException if a file is unreadable, or the key does not match the certificate.
     */
    static SSLContext context(final Path caFile, final Path certFile, final Path keyFile) {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs both a certificate file and a key file");
        }
        try {
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caFile != null) {
                final KeyStore trusted = emptyStore();
                int i = 0;
                for (final X509Certificate c : readCertificates(caFile)) {
                    trusted.setCertificateEntry("ca-" + i++, c);
                }
                tmf.init(trusted);
            } else {
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
                final char[] password = new char[0];
                final KeyStore ks = emptyStore();
                ks.setKeyEntry("key", key, password, chain.toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (final GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * Layers TLS over a connected socket, configured but before the handshake (the caller registers the
     * socket, so that a close can interrupt the handshake, then calls {@link SSLSocket#startHandshake()}).
     *
     * @param context the client context.
     * @param tcp     the connected socket; closed with the returned one.
     * @param host    the server's host name (SNI unless an IP literal, and host-name verification).
     * @param port    the server's port.
     * @return the TLS socket.
     * @throws IOException if it cannot be created.
     */
    static SSLSocket layer(final SSLContext context, final Socket tcp, final String host, final int port)
        throws IOException {
        final SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true);
        final SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(PROTOCOLS.clone());
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(p);
        return ssl;
    }

    private static boolean isIpLiteral(final String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    /**
     * @param file a PEM file with one or more {@code CERTIFICATE} blocks (other blocks are skipped).
     * @return the certificates in file order.
     */
    static List<X509Certificate> readCertificates(final Path file) {
        Objects.requireNonNull(file, "file");
        final List<X509Certificate> out = new ArrayList<>();
        try {
            final CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (final Block block : blocks(file)) {
                if (block.label.equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
                }
            }
        } catch (final CertificateException | RuntimeException e) {
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
     */
    static PrivateKey readPrivateKey(final Path file) {
        Objects.requireNonNull(file, "file");
        for (final Block block : blocks(file)) {
            switch (block.label) {
                case "PRIVATE KEY":
                    return pkcs8(file, block.der, "RSA", "EC", "Ed25519", "Ed448", "EdDSA", "DSA");
                case "RSA PRIVATE KEY":
                    return pkcs8(file, sequence(VERSION_0, sequence(RSA_ENCRYPTION, DER_NULL), octets(block.der)), "RSA");
                case "EC PRIVATE KEY":
                    return pkcs8(file, sequence(VERSION_0, sequence(EC_PUBLIC_KEY, curveOf(file, block.der)),
                        octets(block.der)), "EC");
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException("the private key in " + file
                        + " is encrypted; Iris needs an unencrypted key (protect the file with permissions)");
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block in " + file);
    }

    private static PrivateKey pkcs8(final Path file, final byte[] der, final String... algorithms) {
        for (final String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (final GeneralSecurityException | RuntimeException e) {
                // not this algorithm (or not available): try the next
            }
        }
        throw new IllegalArgumentException("cannot decode the private key in " + file);
    }

    /** @return the curve OID (tag, length, value) of a SEC1 {@code ECPrivateKey}: its {@code [0] parameters}. */
    private static byte[] curveOf(final Path file, final byte[] sec1) {
        // ECPrivateKey ::= SEQUENCE { INTEGER 1, OCTET STRING key, [0] OID parameters OPTIONAL, [1] BIT STRING OPTIONAL }
        int at = headerLength(sec1, 0);
        at = skip(sec1, at); // version
        at = skip(sec1, at); // privateKey
        if (at < sec1.length && (sec1[at] & 0xFF) == 0xA0) {
            final int oid = at + headerLength(sec1, at);
            return java.util.Arrays.copyOfRange(sec1, oid, skip(sec1, oid));
        }
        throw new IllegalArgumentException("the EC private key in " + file + " does not name its curve");
    }

    /** @return the length of the tag and length bytes of the DER element at {@code at}. */
    private static int headerLength(final byte[] der, final int at) {
        final int first = der[at + 1] & 0xFF;
        return first < 0x80 ? 2 : 2 + (first & 0x7F);
    }

    /** @return the index just after the DER element at {@code at}. */
    private static int skip(final byte[] der, final int at) {
        final int first = der[at + 1] & 0xFF;
        int length = first;
        if (first >= 0x80) {
            length = 0;
            for (int i = 0; i < (first & 0x7F); i++) {
                length = (length << 8) | (der[at + 2 + i] & 0xFF);
            }
        }
        return at + headerLength(der, at) + length;
    }

    private static byte[] sequence(final byte[]... elements) {
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (final byte[] e : elements) {
            content.writeBytes(e);
        }
        return element(0x30, content.toByteArray());
    }

    private static byte[] octets(final byte[] value) {
        return element(0x04, value);
    }

    private static byte[] element(final int tag, final byte[] value) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        final int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** One PEM block (RFC 7468): its label and DER content. */
    private static final class Block {
        final String label;
        final byte[] der;

        Block(final String label, final byte[] der) {
            this.label = label;
            this.der = der;
        }
    }

    private static List<Block> blocks(final Path file) {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (final IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        final List<Block> out = new ArrayList<>();
        int from = 0;
        while (true) {
            final int begin = text.indexOf("-----BEGIN ", from);
            if (begin < 0) {
                return out;
            }
            final int labelEnd = text.indexOf("-----", begin + 11);
            if (labelEnd < 0) {
                throw new IllegalArgumentException("unterminated PEM header in " + file);
            }
            final String label = text.substring(begin + 11, labelEnd);
            final String endMarker = "-----END " + label + "-----";
            final int end = text.indexOf(endMarker, labelEnd + 5);
            if (end < 0) {
                throw new IllegalArgumentException("no '" + endMarker + "' in " + file);
            }
            final String body = text.substring(labelEnd + 5, end).replaceAll("\\s+", "");
            try {
                out.add(new Block(label, Base64.getDecoder().decode(body)));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + label + " block of " + file + " is not valid base64", e);
            }
            from = end + endMarker.length();
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    /** @return true if the key signs what the certificate's public key verifies (or the kind is unknown). */
    private static boolean matches(final PrivateKey key, final X509Certificate cert) {
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
}
