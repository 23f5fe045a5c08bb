package io.iris.engine.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Fresh JDK key pairs and JDK-only signing for asymmetric token tests, independent of the code under test:
 * ES256 tokens are signed with plain {@code SHA256withECDSA} (DER output, as openssl and most libraries
 * produce it) and converted to the JOSE {@code r || s} form by {@link #derToJose}, written here from
 * RFC 7518 §3.4 and X.690, so the tests also show interoperability with DER signers.
 */
final class TestKeys {
    static final KeyPair ED25519 = generate("Ed25519", null);
    static final KeyPair ED25519_OTHER = generate("Ed25519", null);
    static final KeyPair P256 = generate("EC", "secp256r1");
    static final KeyPair P256_OTHER = generate("EC", "secp256r1");
    static final KeyPair RSA2048 = rsa(2048);

    private TestKeys() {
    }

    static KeyPair generate(final String algorithm, final String curve) {
        try {
            final KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            }
            return g.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair rsa(final int bits) {
        try {
            final KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The JWS signature of {@code signingInput} with {@code key}, for the algorithm {@code alg}. */
    static byte[] sign(final String alg, final PrivateKey key, final String signingInput) {
        try {
            final String jdk = switch (alg) {
                case "EdDSA" -> "Ed25519";
                case "ES256" -> "SHA256withECDSA";
                case "RS256" -> "SHA256withRSA";
                default -> throw new IllegalArgumentException(alg);
            };
            final Signature s = Signature.getInstance(jdk);
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            final byte[] sig = s.sign();
            return alg.equals("ES256") ? derToJose(sig) : sig;
        } catch (final GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A token with the given header and claims JSON, signed as {@code alg} with {@code key}. */
    static String signed(final String alg, final String headerJson, final String claimsJson, final PrivateKey key) {
        final String input = TestTokens.b64(headerJson) + "." + TestTokens.b64(claimsJson);
        return input + "." + TestTokens.b64(sign(alg, key, input));
    }

    /** A token with header {@code {"alg":alg,"typ":"JWT"[,"kid":kid]}}. */
    static String token(final String alg, final String kid, final String claimsJson, final PrivateKey key) {
        return signed(alg, header(alg, kid), claimsJson, key);
    }

    static String header(final String alg, final String kid) {
        return "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"") + "}";
    }

    /** DER {@code SEQUENCE { INTEGER r, INTEGER s }} to 64 bytes {@code r || s}. */
    static byte[] derToJose(final byte[] der) {
        int i = 0;
        if (der[i++] != 0x30) {
            throw new IllegalArgumentException("not a DER sequence");
        }
        int seqLength = der[i++] & 0xFF;
        if (seqLength == 0x81) {
            seqLength = der[i++] & 0xFF;
        }
        final byte[] out = new byte[64];
        for (int part = 0; part < 2; part++) {
            if (der[i++] != 0x02) {
                throw new IllegalArgumentException("not a DER integer");
            }
            final int length = der[i++];
            final byte[] value = Arrays.copyOfRange(der, i, i + length);
            i += length;
            final byte[] unsigned = new BigInteger(1, value).toByteArray(); // may carry a sign byte
            final int copy = Math.min(unsigned.length, 32);
            System.arraycopy(unsigned, unsigned.length - copy, out, part * 32 + 32 - copy, copy);
        }
        return out;
    }

    static String pem(final PublicKey key) {
        return pem("PUBLIC KEY", key);
    }

    static String pem(final String label, final Key key) {
        return "-----BEGIN " + label + "-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
            + "\n-----END " + label + "-----\n";
    }

    static Path writePem(final Path dir, final String name, final Key key, final String label) {
        try {
            final Path file = dir.resolve(name);
            Files.writeString(file, pem(label, key), StandardCharsets.US_ASCII);
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writePem(final Path dir, final String name, final PublicKey key) {
        return writePem(dir, name, key, "PUBLIC KEY");
    }
}
