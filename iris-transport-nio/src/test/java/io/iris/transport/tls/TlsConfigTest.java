package io.iris.transport.tls;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class TlsConfigTest {
    @TempDir
    Path dir;

    @Test
    void buildsAnEngineWithOnlyTls13And12AndTheClientAuthPolicy() throws Exception {
        final DevCertificates.Bundle b = DevCertificates.ensure(dir, List.of());
        final TlsConfig need = TlsConfig.builder().certificateChain(b.serverChain()).privateKey(b.serverKey())
            .clientAuth(TlsConfig.ClientAuth.NEED).trustedCertificates(b.ca()).build();
        final SSLEngine e = need.newServerEngine("127.0.0.1", 1234);
        assertThat(e.getUseClientMode()).isFalse();
        assertThat(e.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(e.getNeedClientAuth()).isTrue();
        final TlsConfig want = TlsConfig.builder().certificateChain(b.serverChain()).privateKey(b.serverKey())
            .clientAuth(TlsConfig.ClientAuth.parse("Want")).trustedCertificates(b.ca()).build();
        assertThat(want.newServerEngine(null, -1).getWantClientAuth()).isTrue();
        assertThat(TlsConfig.ClientAuth.parse(" none ")).isEqualTo(TlsConfig.ClientAuth.NONE);
        assertThatThrownBy(() -> TlsConfig.ClientAuth.parse("always")).hasMessageContaining("none, want or need");
    }

    @Test
    void readsPkcs8Pkcs1RsaAndSec1EcKeysWrittenByOpenssl() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/openssl"))).as("/usr/bin/openssl is installed").isTrue();
        final Path rsa = dir.resolve("rsa-pkcs1.pem");
        final Path ec = dir.resolve("ec-sec1.pem");
        openssl("genrsa", "-traditional", "-out", rsa.toString(), "2048");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ec.toString());
        assertThat(Files.readString(rsa)).contains("BEGIN RSA PRIVATE KEY");
        assertThat(Files.readString(ec)).contains("BEGIN EC PRIVATE KEY");
        for (final Path traditional : List.of(rsa, ec)) {
            final Path pkcs8 = dir.resolve(traditional.getFileName() + ".p8");
            openssl("pkcs8", "-topk8", "-nocrypt", "-in", traditional.toString(), "-out", pkcs8.toString());
            assertThat(Files.readString(pkcs8)).contains("BEGIN PRIVATE KEY");
            final PrivateKey a = Pem.readPrivateKey(traditional);
            final PrivateKey b = Pem.readPrivateKey(pkcs8);
            assertThat(a.getAlgorithm()).isEqualTo(traditional == rsa ? "RSA" : "EC");
            if (a instanceof java.security.interfaces.ECPrivateKey) { // encodings may differ in optional fields
                assertThat(((java.security.interfaces.ECPrivateKey) a).getS())
                    .isEqualTo(((java.security.interfaces.ECPrivateKey) b).getS());
            } else {
                assertThat(((java.security.interfaces.RSAPrivateKey) a).getPrivateExponent())
                    .isEqualTo(((java.security.interfaces.RSAPrivateKey) b).getPrivateExponent());
            }
        }
        // a self-signed certificate from openssl plus its PKCS#1 key build a server configuration
        final Path cert = dir.resolve("rsa-cert.pem");
        openssl("req", "-x509", "-new", "-key", rsa.toString(), "-subj", "/CN=localhost", "-days", "2", "-out", cert.toString());
        assertThat(TlsConfig.builder().certificateChain(cert).privateKey(rsa).build().certificateChain()).hasSize(1);
    }

    private static void openssl(final String... args) throws Exception {
        final List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/openssl"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            final byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl %s finished", cmd).isTrue();
            assertThat(p.exitValue()).as("openssl %s: %s", cmd, new String(out)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void clearErrorsForMissingMismatchedEncryptedAndEmptyFiles() throws Exception {
        final DevCertificates.Bundle b = DevCertificates.ensure(dir.resolve("a"), List.of());
        final DevCertificates.Bundle other = DevCertificates.ensure(dir.resolve("b"), List.of());
        final Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> TlsConfig.builder().certificateChain(missing).privateKey(b.serverKey()).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> TlsConfig.builder().certificateChain(b.serverChain()).privateKey(other.serverKey()).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> TlsConfig.builder().certificateChain(b.serverKey()).privateKey(b.serverKey()).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no CERTIFICATE");
        assertThatThrownBy(() -> TlsConfig.builder().certificateChain(b.serverChain()).privateKey(b.ca()).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PRIVATE KEY");
        assertThatThrownBy(() -> TlsConfig.builder().certificateChain(b.serverChain()).privateKey(b.serverKey())
            .clientAuth(TlsConfig.ClientAuth.NEED).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trusted CA");

        // legacy OpenSSL encryption headers (the body is never decrypted: the key is refused first)
        final KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        final StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(g.generateKeyPair().getPrivate());
        }
        final String pem = s.toString().replaceFirst("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n"
            + "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n");
        final Path encrypted = Files.writeString(dir.resolve("enc.pem"), pem);
        assertThatThrownBy(() -> Pem.readPrivateKey(encrypted)).hasMessageContaining("encrypted");
    }
}
