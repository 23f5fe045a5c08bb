package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.transport.tls.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reference server's TLS keys and development mode ({@link ServerConfig#withTls}). */
class ServerConfigTlsTest {
    @Test
    void tlsKeysAreKnownAndOffByDefault() {
        final IrisConfig c = ServerConfig.load(List.of("--tls.clientAuth=want", "--tls.trustFile=/x/ca.pem"), Map.of());
        assertThat(c.getString("tls.enabled", null)).isEqualTo("false");
        assertThat(c.getString("tls.devDir", null)).isEqualTo("data/tls");
        assertThat(ServerConfig.withTls(c)).as("TLS off: unchanged").isSameAs(c);
        assertThat(ServerConfig.usesDevTls(c)).isFalse();
    }

    @Test
    void devModeGeneratesCertificatesForTheConfiguredNamesOnceAndReusesThem(@TempDir final Path dir) throws Exception {
        final Path tls = dir.resolve("tls");
        final IrisConfig loaded = ServerConfig.load(List.of("--tls.enabled=true", "--tls.devDir=" + tls,
            "--tls.devNames=chat.example, 10.0.0.7", "--server.host=127.0.0.2"), Map.of());
        assertThat(ServerConfig.usesDevTls(loaded)).isTrue();
        final IrisConfig c = ServerConfig.withTls(loaded);
        assertThat(c.getString("tls.certFile", "")).isEqualTo(tls.resolve("server.pem").toString());
        assertThat(c.getString("tls.keyFile", "")).isEqualTo(tls.resolve("server-key.pem").toString());
        final X509Certificate leaf = Pem.readCertificates(tls.resolve("server.pem")).get(0);
        final List<String> names = new ArrayList<>();
        for (final List<?> e : leaf.getSubjectAlternativeNames()) {
            names.add(String.valueOf(e.get(1)));
        }
        assertThat(names).contains("localhost", "127.0.0.1", "chat.example", "10.0.0.7", "127.0.0.2");
        final String before = Files.readString(tls.resolve("ca.pem"));
        ServerConfig.withTls(loaded);
        assertThat(Files.readString(tls.resolve("ca.pem"))).as("reused on the next start").isEqualTo(before);
    }

    @Test
    void oneFileWithoutTheOtherIsRefused() {
        final IrisConfig c = ServerConfig.load(List.of("--tls.enabled=true", "--tls.certFile=/etc/iris/cert.pem"), Map.of());
        assertThatThrownBy(() -> ServerConfig.withTls(c)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("tls.certFile").hasMessageContaining("tls.keyFile");
    }
}
