package io.iris.engine.auth;

import io.iris.transport.tls.Pem;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * One key a {@link JwtAuthenticator} verifies signatures with, bound to exactly one JWS algorithm, with an
 * optional key id ({@code kid}). The algorithm belongs to the key and is fixed when the key is created: an
 * HMAC secret verifies only {@code HS256}; an Ed25519 public key only {@code EdDSA}; an EC P-256 public key
 * only {@code ES256}; an RSA public key (at least {@value #MIN_RSA_BITS} bits) only {@code RS256}. A token
 * never chooses the algorithm, which is what makes {@code alg:none} and algorithm confusion (e.g. a public
 * key's bytes used as an HMAC secret) impossible by construction rather than by a deny-list.
 *
 * <h2>Signature formats</h2>
 * Signatures are the JWS ones (RFC 7518): a 32-byte HMAC tag; a 64-byte Ed25519 signature; for ES256 the
 * fixed-width {@code r || s} (32 bytes each, big-endian, RFC 7518 §3.4), verified with the JDK's
 * {@code SHA256withECDSAinP1363Format}, which takes exactly that form, so no DER is built from attacker
 * bytes. An ES256 signature must be exactly 64 bytes with {@code 1 <= r, s < n} (the curve order); this
 * is checked here, before the JDK sees it, so the verdict does not depend on the JDK's own checks (see
 * CVE-2022-21449). RS256 signatures must be exactly as long as the modulus. Any other length or form is
 * refused.
 *
 * <p>Immutable and thread-safe. {@link #verify} never throws: anything the JDK refuses is a bad signature.
 * {@link #toString()} shows the algorithm and kid, never key material.
 */
public final class JwtKey {
    /** Smallest accepted RSA modulus. */
    public static final int MIN_RSA_BITS = 2048;
    /** Largest accepted RSA modulus (verification cost grows with it). */
    public static final int MAX_RSA_BITS = 16384;
    /** Longest accepted key id, in chars. */
    public static final int MAX_KID_LENGTH = 256;

    private static final int ES256_HALF = 32;
    private static final int ED25519_SIGNATURE_BYTES = 64;
    private static final ECParameterSpec P256 = p256();

    /** The JWS algorithms Iris verifies (RFC 7518 §3.1 names, RFC 8037 for EdDSA). */
    public enum Algorithm {
        /** HMAC with SHA-256 and a shared secret. */
        HS256("HS256", "HmacSHA256"),
        /** EdDSA with Ed25519 (RFC 8037). */
        EDDSA("EdDSA", "Ed25519"),
        /** ECDSA with P-256 and SHA-256, signature {@code r || s}. */
        ES256("ES256", "SHA256withECDSAinP1363Format"),
        /** RSASSA-PKCS1-v1_5 with SHA-256. */
        RS256("RS256", "SHA256withRSA");

        private final String joseName;
        private final String jdkName;

        Algorithm(final String joseName, final String jdkName) {
            this.joseName = joseName;
            this.jdkName = jdkName;
        }

        /** @return the {@code alg} header value, e.g. {@code "ES256"}; compared case-sensitively. */
        public String joseName() {
            return joseName;
        }

        /** @return the JDK {@link Signature} (or {@link javax.crypto.Mac}) algorithm name. */
        String jdkName() {
            return jdkName;
        }
    }

    private final String kid;
    private final Algorithm algorithm;
    private final Hs256 hmac;
    private final PublicKey publicKey;
    private final int signatureBytes;

    private JwtKey(final String kid, final Algorithm algorithm, final Hs256 hmac, final PublicKey publicKey,
                   final int signatureBytes) {
        this.kid = kid;
        this.algorithm = algorithm;
        this.hmac = hmac;
        this.publicKey = publicKey;
        this.signatureBytes = signatureBytes;
    }

    /**
     * @param kid    the key id tokens name in their {@code kid} header, or {@code null}.
     * @param secret the shared secret, at least 32 bytes; copied.
     * @return an {@code HS256} key.
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes or the kid is invalid.
     */
    public static JwtKey hs256(final String kid, final byte[] secret) {
        return new JwtKey(checkKid(kid), Algorithm.HS256, new Hs256(secret), null, Hs256.SIGNATURE_BYTES);
    }

    /**
     * @param kid the key id, or {@code null}.
     * @param key an Ed25519, EC P-256 or RSA (2048..16384 bits) public key.
     * @return a key for {@code EdDSA}, {@code ES256} or {@code RS256} respectively.
     * @throws IllegalArgumentException for any other key type, curve or size, or an invalid kid.
     */
    public static JwtKey publicKey(final String kid, final PublicKey key) {
        Objects.requireNonNull(key, "key");
        final String id = checkKid(kid);
        if (key instanceof EdECPublicKey) {
            final String curve = ((EdECPublicKey) key).getParams().getName();
            if (!"Ed25519".equalsIgnoreCase(curve)) {
                throw new IllegalArgumentException("unsupported EdDSA curve " + curve + " (only Ed25519)");
            }
            return checked(new JwtKey(id, Algorithm.EDDSA, null, key, ED25519_SIGNATURE_BYTES));
        }
        if (key instanceof ECPublicKey) {
            if (!isP256(((ECPublicKey) key).getParams())) {
                throw new IllegalArgumentException("unsupported EC curve " + ((ECPublicKey) key).getParams()
                    + " (only P-256 / secp256r1, for ES256)");
            }
            return checked(new JwtKey(id, Algorithm.ES256, null, key, 2 * ES256_HALF));
        }
        if (key instanceof RSAPublicKey) {
            final int bits = ((RSAPublicKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                throw new IllegalArgumentException("RSA key of " + bits + " bits; RS256 needs " + MIN_RSA_BITS
                    + " to " + MAX_RSA_BITS + " bits");
            }
            return checked(new JwtKey(id, Algorithm.RS256, null, key, (bits + 7) / 8));
        }
        throw new IllegalArgumentException("unsupported public key type " + key.getAlgorithm()
            + " (supported: Ed25519, EC P-256, RSA >= " + MIN_RSA_BITS + " bits)");
    }

    /**
     * Reads a PEM public key in SubjectPublicKeyInfo form (the {@code -----BEGIN PUBLIC KEY-----} block
     * that {@code openssl pkey -pubout} writes) and derives its algorithm as {@link #publicKey} does.
     *
     * @param kid the key id, or {@code null}.
     * @param pem the PEM text; text around the one block is ignored.
     * @return the key.
     * @throws IllegalArgumentException if there is not exactly one PUBLIC KEY block (a private key or a
     *                                  PKCS#1 {@code RSA PUBLIC KEY} block is named as such), its base64 or
     *                                  DER is invalid, or the key is not supported.
     */
    public static JwtKey fromPem(final String kid, final String pem) {
        Objects.requireNonNull(pem, "pem");
        if (pem.contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException("this is a PRIVATE key; configure the PUBLIC key"
                + " (openssl pkey -in private.pem -pubout)");
        }
        if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
            throw new IllegalArgumentException("PKCS#1 'RSA PUBLIC KEY' blocks are not supported; convert with"
                + " openssl rsa -RSAPublicKey_in -in key.pem -pubout");
        }
        final byte[] der = Pem.decode(pem, "PUBLIC KEY");
        final X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        for (final String type : new String[] {"EC", "EdDSA", "RSA"}) {
            try {
                return publicKey(kid, KeyFactory.getInstance(type).generatePublic(spec));
            } catch (final InvalidKeySpecException e) {
                // not this type: try the next
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks the " + type + " key factory", e);
            }
        }
        throw new IllegalArgumentException("unsupported or malformed public key"
            + " (supported: Ed25519, EC P-256, RSA >= " + MIN_RSA_BITS + " bits)");
    }

    /** @return the key id, or {@code null}. */
    public String kid() {
        return kid;
    }

    /** @return the one algorithm this key verifies. */
    public Algorithm algorithm() {
        return algorithm;
    }

    /**
     * @param signingInput the ASCII bytes of {@code header.payload}.
     * @param signature    the decoded signature part.
     * @return true only if {@code signature} is a valid signature of {@code signingInput} under this key in
     * this key's algorithm and in exactly the JWS form; never throws.
     */
    boolean verify(final byte[] signingInput, final byte[] signature) {
        if (signature.length != signatureBytes) {
            return false;
        }
        if (algorithm == Algorithm.HS256) {
            return MessageDigest.isEqual(hmac.sign(signingInput), signature);
        }
        if (algorithm == Algorithm.ES256
            && !(inOpenRange(signature, 0) && inOpenRange(signature, ES256_HALF))) {
            return false;
        }
        try {
            final Signature verifier = Signature.getInstance(algorithm.jdkName());
            verifier.initVerify(publicKey);
            verifier.update(signingInput);
            return verifier.verify(signature);
        } catch (final GeneralSecurityException | RuntimeException e) {
            return false; // fail closed: whatever the provider refuses is not a valid signature
        }
    }

    /** @return true if the 32-byte big-endian integer at {@code offset} is in [1, n-1] for P-256's order n. */
    private static boolean inOpenRange(final byte[] signature, final int offset) {
        final BigInteger v = new BigInteger(1, Arrays.copyOfRange(signature, offset, offset + ES256_HALF));
        return v.signum() > 0 && v.compareTo(P256.getOrder()) < 0;
    }

    /**
     * Creates the key's JDK verifier once, so a JDK without the algorithm fails at configuration time
     * rather than at the first login.
     */
    private static JwtKey checked(final JwtKey key) {
        try {
            Signature.getInstance(key.algorithm.jdkName()).initVerify(key.publicKey);
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("the JDK cannot verify " + key.algorithm.joseName() + " with this key: "
                + e.getMessage(), e);
        }
        return key;
    }

    /**
     * The one kid rule: {@code null} (no kid), or 1 to {@value #MAX_KID_LENGTH} printable ASCII chars without
     * spaces, {@code ','} or {@code '='} (so a kid can be written in {@code auth.jwt.publicKeys}).
     *
     * @param kid a candidate kid.
     * @return {@code kid}.
     * @throws IllegalArgumentException if it breaks the rule.
     */
    static String checkKid(final String kid) {
        if (kid == null) {
            return null;
        }
        if (kid.isEmpty() || kid.length() > MAX_KID_LENGTH) {
            throw new IllegalArgumentException("kid must be 1 to " + MAX_KID_LENGTH + " chars (null for none)");
        }
        for (int i = 0; i < kid.length(); i++) {
            final char c = kid.charAt(i);
            if (c <= ' ' || c == ',' || c == '=' || c >= 0x7F) {
                throw new IllegalArgumentException("kid '" + kid.replaceAll("[^\\x21-\\x7e]", "?")
                    + "' must be printable ASCII without spaces, ',' or '='");
            }
        }
        return kid;
    }

    /** @return true if {@code p} is P-256 (secp256r1). */
    static boolean isP256(final ECParameterSpec p) {
        return p.getCurve().equals(P256.getCurve()) && p.getGenerator().equals(P256.getGenerator())
            && p.getOrder().equals(P256.getOrder()) && p.getCofactor() == P256.getCofactor();
    }

    private static ECParameterSpec p256() {
        try {
            final AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (final GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public String toString() {
        return algorithm.joseName() + (kid == null ? "" : "(kid=" + kid + ")");
    }
}
