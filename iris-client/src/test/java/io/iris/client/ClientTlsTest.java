package io.iris.client;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@link ClientTls} reads, with the JDK alone, the PEM that OpenSSL writes: certificates (other blocks
 * skipped), PKCS#8, PKCS#1 RSA and SEC1 EC private keys; it refuses encrypted keys and a key that does not
 * belong to the certificate. Keys and certificates come from {@code /usr/bin/openssl}, an independent
 * implementation (skipped where it is not installed).
 */
class ClientTlsTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @TempDir
    static Path dir;

    @BeforeAll
    static void openssl() throws Exception {
        assumeThat(Files.isExecutable(OPENSSL)).as("/usr/bin/openssl is installed (.ci/run installs it)").isTrue();
        run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa-pkcs8.pem");
        run("rsa", "-in", "rsa-pkcs8.pem", "-traditional", "-out", "rsa-pkcs1.pem");
        run("req", "-x509", "-new", "-key", "rsa-pkcs8.pem", "-subj", "/CN=rsa", "-days", "1", "-out", "rsa-cert.pem");
        run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec-sec1.pem");
        run("pkcs8", "-topk8", "-nocrypt", "-in", "ec-sec1.pem", "-out", "ec-pkcs8.pem");
        run("req", "-x509", "-new", "-key", "ec-sec1.pem", "-subj", "/CN=ec", "-days", "1", "-out", "ec-cert.pem");
        run("pkcs8", "-topk8", "-in", "ec-sec1.pem", "-passout", "pass:secret", "-out", "ec-encrypted.pem");
    }

    private static void run(final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl %s finished", args[0]).isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", String.join(" ", args),
            Files.readString(dir.resolve("openssl.log"))).isZero();
    }

    @Test
    void readsEveryUnencryptedKeyFormatOpenSslWrites() {
        assertThat(Files.exists(dir.resolve("rsa-pkcs1.pem"))).isTrue();
        final PrivateKey rsa8 = ClientTls.readPrivateKey(dir.resolve("rsa-pkcs8.pem"));
        final PrivateKey rsa1 = ClientTls.readPrivateKey(dir.resolve("rsa-pkcs1.pem"));
        assertThat(rsa8.getAlgorithm()).isEqualTo("RSA");
        assertThat(rsa1.getEncoded()).as("PKCS#1 wrapped into PKCS#8").isEqualTo(rsa8.getEncoded());
        final PrivateKey ec1 = ClientTls.readPrivateKey(dir.resolve("ec-sec1.pem"));
        final PrivateKey ec8 = ClientTls.readPrivateKey(dir.resolve("ec-pkcs8.pem"));
        assertThat(ec1.getAlgorithm()).isEqualTo("EC");
        assertThat(ec8.getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void buildsAClientContextForEachKeyWithItsCertificate() {
        final Path ca = dir.resolve("rsa-cert.pem");
        assertThat(ClientTls.context(ca, null, null)).isNotNull();
        assertThat(ClientTls.context(null, null, null)).as("the JDK's trust store").isNotNull();
        for (final String key : List.of("rsa-pkcs8.pem", "rsa-pkcs1.pem")) {
            assertThat(ClientTls.context(ca, ca, dir.resolve(key))).as(key).isNotNull();
        }
        final Path ec = dir.resolve("ec-cert.pem");
        for (final String key : List.of("ec-sec1.pem", "ec-pkcs8.pem")) {
            assertThat(ClientTls.context(ca, ec, dir.resolve(key))).as(key).isNotNull();
        }
    }

    @Test
    void refusesEncryptedKeysMismatchedKeysAndFilesWithoutCertificates() throws IOException {
        assertThatThrownBy(() -> ClientTls.readPrivateKey(dir.resolve("ec-encrypted.pem")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encrypted");
        assertThatThrownBy(() -> ClientTls.context(null, dir.resolve("rsa-cert.pem"), dir.resolve("ec-sec1.pem")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> ClientTls.context(dir.resolve("rsa-pkcs8.pem"), null, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no CERTIFICATE block");
        assertThatThrownBy(() -> ClientTls.context(null, dir.resolve("rsa-cert.pem"), null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
        final Path mixed = Files.writeString(dir.resolve("mixed.pem"),
            Files.readString(dir.resolve("rsa-pkcs8.pem")) + Files.readString(dir.resolve("rsa-cert.pem"))
                + Files.readString(dir.resolve("ec-cert.pem")));
        assertThat(ClientTls.readCertificates(mixed)).as("key block skipped, certificates in order").hasSize(2)
            .extracting(c -> c.getSubjectX500Principal().getName()).containsExactly("CN=rsa", "CN=ec");
    }
}
