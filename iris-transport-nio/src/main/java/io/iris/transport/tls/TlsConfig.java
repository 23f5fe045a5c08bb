package io.iris.transport.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Immutable server-side TLS settings: the certificate chain and private key (PEM files), the
 * client-certificate policy and, for client certificates, the CA certificates to trust. The files are
 * read and the {@link SSLContext} is built once, by {@link Builder#build()}; every server engine comes
 * from that context. Protocols are fixed to TLS 1.3 and TLS 1.2 ({@link Pem#PROTOCOLS}): TLS 1.0/1.1
 * and SSL are refused whatever the JDK's defaults.
 *
 * <pre>{@code
 * TlsConfig tls = TlsConfig.builder()
 *     .certificateChain(Path.of("server.pem"))   // leaf first, then intermediates
 *     .privateKey(Path.of("server-key.pem"))     // PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted
 *     .clientAuth(TlsConfig.ClientAuth.NEED)     // optional, default NONE
 *     .trustedCertificates(Path.of("ca.pem"))    // required with WANT/NEED
 *     .build();
 * }</pre>
 */
public final class TlsConfig {
    /** Whether the server asks connecting clients for a certificate. */
    public enum ClientAuth {
        /** No client certificate is requested. */
        NONE,
        /** A certificate is requested; clients without one are accepted, a bad one is refused. */
        WANT,
        /** A certificate signed by a trusted CA is required; clients without one are refused. */
        NEED;

        /**
         * @param text {@code none}, {@code want} or {@code need} (any case).
         * @return the policy.
         * @throws IllegalArgumentException for anything else.
         */
        public static ClientAuth parse(final String text) {
            for (final ClientAuth a : values()) {
                if (a.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return a;
                }
            }
            throw new IllegalArgumentException("client auth must be none, want or need, was '" + text + "'");
        }
    }

    private final Path certificateChainFile;
    private final Path privateKeyFile;
    private final ClientAuth clientAuth;
    private final Path trustFile;
    private final List<X509Certificate> chain;
    private final SSLContext context;

    private TlsConfig(final Builder b) {
        if (b.chain == null) {
            throw new IllegalArgumentException("a TLS server needs a certificate chain file");
        }
        if (b.key == null) {
            throw new IllegalArgumentException("a TLS server needs a private key file");
        }
        if (b.clientAuth != ClientAuth.NONE && b.trust == null) {
            throw new IllegalArgumentException("client auth " + b.clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                + " needs a file of trusted CA certificates for client certificates");
        }
        this.certificateChainFile = b.chain;
        this.privateKeyFile = b.key;
        this.clientAuth = b.clientAuth;
        this.trustFile = b.trust;
        this.chain = List.copyOf(Pem.readCertificates(b.chain));
        final PrivateKey key = Pem.readPrivateKey(b.key);
        if (!Pem.matches(key, chain.get(0))) {
            throw new IllegalArgumentException("the private key in " + b.key
                + " does not belong to the first certificate in " + b.chain
                + " (" + chain.get(0).getSubjectX500Principal() + ")");
        }
        try {
            final KeyManagerFactory kmf = Pem.keyManagers(chain, key);
            TrustManagerFactory tmf = null;
            if (trustFile != null) {
                tmf = Pem.trustManagers(Pem.readCertificates(trustFile));
            }
            final SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            this.context = c;
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build the TLS context from " + b.chain + " and " + b.key
                + ": " + e.getMessage(), e);
        }
    }

    /** @return a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the engine of one accepted connection: server mode, TLS 1.3/1.2 only, the client
     * authentication policy applied.
     *
     * @param peerHost the peer's address (a session-cache hint only), or null.
     * @param peerPort the peer's port, or -1.
     * @return a new engine, not started.
     */
    public SSLEngine newServerEngine(final String peerHost, final int peerPort) {
        final SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(false);
        final SSLParameters p = engine.getSSLParameters();
        p.setProtocols(Pem.PROTOCOLS.toArray(new String[0]));
        if (clientAuth == ClientAuth.NEED) {
            p.setNeedClientAuth(true);
        } else if (clientAuth == ClientAuth.WANT) {
            p.setWantClientAuth(true);
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /**
     * @return the server-side context (this configuration's key and trust material), for a server that makes its
     * own sockets (the admin HTTPS server); restrict its protocols to {@link Pem#PROTOCOLS}.
     */
    public SSLContext serverContext() {
        return context;
    }

    /** @return the PEM file of the certificate chain. */
    public Path certificateChainFile() {
        return certificateChainFile;
    }

    /** @return the PEM file of the private key. */
    public Path privateKeyFile() {
        return privateKeyFile;
    }

    /** @return the client-certificate policy. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** @return the PEM file of CA certificates trusted for client certificates, or null. */
    public Path trustFile() {
        return trustFile;
    }

    /** @return the server's certificate chain, leaf first. */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /** @return the enabled protocols, {@code [TLSv1.3, TLSv1.2]}. */
    public List<String> protocols() {
        return Pem.PROTOCOLS;
    }

    /** @return the context every server engine comes from. */
    public SSLContext sslContext() {
        return context;
    }

    @Override
    public String toString() {
        return "TlsConfig{cert=" + certificateChainFile + ", key=" + privateKeyFile + ", clientAuth=" + clientAuth
            + (trustFile == null ? "" : ", trust=" + trustFile) + ", protocols=" + Pem.PROTOCOLS + '}';
    }

    /** Collects the settings of a {@link TlsConfig}; {@link #build()} reads the files. Not thread-safe. */
    public static final class Builder {
        private Path chain;
        private Path key;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Path trust;

        private Builder() {
        }

        /**
         * Required.
         *
         * @param file PEM file with the server certificate first, then any intermediates.
         * @return this.
         */
        public Builder certificateChain(final Path file) {
            this.chain = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Required.
         *
         * @param file PEM file with the private key of the first certificate, unencrypted.
         * @return this.
         */
        public Builder privateKey(final Path file) {
            this.key = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * @param clientAuth whether client certificates are requested (default {@link ClientAuth#NONE}).
         * @return this.
         */
        public Builder clientAuth(final ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /**
         * Required with {@link ClientAuth#WANT} or {@link ClientAuth#NEED}.
         *
         * @param file PEM file of the CA certificates client certificates must chain to, or null.
         * @return this.
         */
        public Builder trustedCertificates(final Path file) {
            this.trust = file;
            return this;
        }

        /**
         * Reads the files and builds the context.
         *
         * @return the configuration.
         * @throws IllegalArgumentException naming the file, if a file is missing, unreadable or holds no
         *                                  certificate/key, if the key does not match the certificate, or if a
         *                                  required setting is missing.
         */
        public TlsConfig build() {
            return new TlsConfig(this);
        }
    }
}
