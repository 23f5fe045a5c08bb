package io.iris.transport.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void serverChainVerifiesAgainstTheCaWithJdkPkix() throws Exception {
        final DevCertificates.Bundle b = DevCertificates.ensure(dir.resolve("tls"), List.of("chat.example", "10.1.2.3"));
        assertThat(b.generated()).isTrue();
        final X509Certificate ca = Pem.readCertificates(b.ca()).get(0);
        final List<X509Certificate> chain = Pem.readCertificates(b.serverChain());
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(ca);
        assertThat(ca.getBasicConstraints()).as("CA basicConstraints").isGreaterThanOrEqualTo(0);
        assertThat(chain.get(0).getBasicConstraints()).as("leaf is not a CA").isEqualTo(-1);
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");

        validate(chain.get(0), ca); // throws if PKIX refuses it
        final X509Certificate otherCa = DevCertificates.Authority.create("other").certificate().certificate();
        assertThatThrownBy(() -> validate(chain.get(0), otherCa)).isInstanceOf(CertPathValidatorException.class);

        final List<String> sans = new ArrayList<>();
        for (final List<?> e : chain.get(0).getSubjectAlternativeNames()) {
            sans.add(String.valueOf(e.get(1)));
        }
        assertThat(sans).contains("localhost", "127.0.0.1", "chat.example", "10.1.2.3")
            .anyMatch(s -> s.equals("0:0:0:0:0:0:0:1") || s.equals("::1"));
        assertThat(chain.get(0).getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(Pem.matches(Pem.readPrivateKey(b.serverKey()), chain.get(0))).isTrue();
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(b.serverKey()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        // the files build a server TLS configuration as they are
        assertThat(TlsConfig.builder().certificateChain(b.serverChain()).privateKey(b.serverKey()).build()
            .certificateChain()).hasSize(2);
    }

    @Test
    void existingFilesAreReusedAndMissingNamesRegenerate() throws Exception {
        final Path tls = dir.resolve("tls");
        final DevCertificates.Bundle first = DevCertificates.ensure(tls, List.of("a.example"));
        final String ca = Files.readString(first.ca());
        final String chain = Files.readString(first.serverChain());
        final String key = Files.readString(first.serverKey());

        final DevCertificates.Bundle second = DevCertificates.ensure(tls, List.of("a.example"));
        assertThat(second.generated()).isFalse();
        assertThat(Files.readString(second.ca())).isEqualTo(ca);
        assertThat(Files.readString(second.serverChain())).isEqualTo(chain);
        assertThat(Files.readString(second.serverKey())).isEqualTo(key);

        final DevCertificates.Bundle third = DevCertificates.ensure(tls, List.of("b.example"));
        assertThat(third.generated()).as("a name the certificate lacks").isTrue();
        assertThat(Files.readString(third.ca())).isNotEqualTo(ca);

        Files.delete(third.serverKey());
        assertThat(DevCertificates.ensure(tls, List.of("b.example")).generated()).as("a missing file").isTrue();
    }

    private static void validate(final X509Certificate leaf, final X509Certificate ca) throws Exception {
        final CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        final PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }
}
