package io.iris.transport;

import io.iris.testsupport.Await;
import io.iris.protocol.Protocol;
import io.iris.transport.tls.DevCertificates;
import io.iris.transport.tls.TlsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code openssl s_client} (Debian's /usr/bin/openssl) as an external TLS client. The server closes
 * every connection after a short login timeout with an ERROR frame whose text ("no frame received")
 * s_client prints, so an accepted handshake is visible in its output and every run ends by itself.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenSslClientTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final String SERVER_SPOKE = "no frame received";

    @TempDir
    Path dir;

    private TlsFixture tls;
    private TestServer server;

    @BeforeEach
    void setUp() {
        assumeThat(Files.isExecutable(OPENSSL)).as("/usr/bin/openssl is installed (.ci/run installs it)").isTrue();
        tls = new TlsFixture(dir);
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private void start(final TlsConfig config) throws IOException {
        server = new TestServer(NioServerConfig.defaults().withHost("127.0.0.1").withLoginTimeoutMillis(1500)
            .withTls(config), new RecordingHandler());
        server.start();
    }

    @Test
    void tls13HandshakeSucceeds() throws Exception {
        start(tls.server);
        final Result r = sClient("-tls1_3");
        assertThat(r.output).contains("Protocol  : TLSv1.3").contains("Verify return code: 0 (ok)").contains(SERVER_SPOKE);
    }

    @Test
    void tls12HandshakeSucceeds() throws Exception {
        start(tls.server);
        final Result r = sClient("-tls1_2");
        assertThat(r.output).contains("Protocol  : TLSv1.2").contains("Verify return code: 0 (ok)").contains(SERVER_SPOKE);
    }

    @Test
    void tls11AndTls10AreRefused() throws Exception {
        start(tls.server);
        for (final String version : new String[] {"-tls1_1", "-tls1"}) {
            final Result r = sClient(version, "-cipher", "DEFAULT:@SECLEVEL=0");
            assertThat(r.exit).as("exit code of s_client %s: %s", version, r.output).isNotZero();
            assertThat(r.output).as(version).contains("Cipher is (NONE)").doesNotContain(SERVER_SPOKE);
        }
        Await.until(() -> server.connectionCount() == 0 && server.borrowedBuffers() == 0, "refused connections cleaned up");
    }

    @Test
    void clientAuthNeedRefusesNoCertificateAndAcceptsOneFromTheTrustedCa() throws Exception {
        final DevCertificates.Authority clients = DevCertificates.Authority.create("Iris test client CA");
        final Path clientCa = tls.write("client-ca.pem", clients.certificate().certificatePem());
        final DevCertificates.Issued node = clients.issueClient("node-1");
        final Path cert = tls.write("node.pem", node.certificatePem());
        final Path key = tls.write("node-key.pem", node.keyPem());
        final DevCertificates.Issued stranger = DevCertificates.Authority.create("other CA").issueClient("node-2");
        final Path strangerCert = tls.write("stranger.pem", stranger.certificatePem());
        final Path strangerKey = tls.write("stranger-key.pem", stranger.keyPem());
        start(TlsConfig.builder().certificateChain(tls.files.serverChain()).privateKey(tls.files.serverKey())
            .clientAuth(TlsConfig.ClientAuth.NEED).trustedCertificates(clientCa).build());
        for (final String version : new String[] {"-tls1_3", "-tls1_2"}) {
            final Result none = sClient(version);
            assertThat(none.output).as("%s without a certificate", version).doesNotContain(SERVER_SPOKE)
                .containsAnyOf("certificate required", "handshake failure", "bad certificate");
            final Result wrong = sClient(version, "-cert", strangerCert.toString(), "-key", strangerKey.toString());
            assertThat(wrong.output).as("%s with a certificate of another CA", version).doesNotContain(SERVER_SPOKE);
            final Result good = sClient(version, "-cert", cert.toString(), "-key", key.toString());
            assertThat(good.output).as("%s with a trusted certificate", version).contains(SERVER_SPOKE);
        }
    }

    private record Result(int exit, String output) {
    }

    /** Runs s_client against the server; stdin closed, -ign_eof so it waits for the server to close. */
    private Result sClient(final String... options) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(OPENSSL.toString(), "s_client", "-connect",
            "127.0.0.1:" + server.port(), "-servername", "localhost", "-CAfile", tls.files.ca().toString(),
            "-verify_return_error", "-ign_eof"));
        cmd.addAll(List.of(options));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (final IOException ignored) {
                    // destroyed
                }
            }, "s_client-output");
            reader.start();
            final boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            reader.join(10_000);
            final String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.ISO_8859_1);
            }
            assertThat(exited).as("s_client %s ended; output so far: %s", cmd, text).isTrue();
            return new Result(p.exitValue(), text);
        } finally {
            p.destroyForcibly();
        }
    }
}
