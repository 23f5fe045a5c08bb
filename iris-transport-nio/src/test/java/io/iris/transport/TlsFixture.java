package io.iris.transport;

import io.iris.transport.tls.DevCertificates;
import io.iris.transport.tls.Pem;
import io.iris.transport.tls.TlsConfig;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A development CA and server certificate in a directory, the server {@link TlsConfig} built from
 * them, and TLS test sockets that trust that CA and verify the host name.
 */
final class TlsFixture {
    final Path dir;
    final DevCertificates.Bundle files;
    final TlsConfig server;
    final SSLContext client;

    TlsFixture(final Path dir) {
        this.dir = dir;
        this.files = DevCertificates.ensure(dir, List.of());
        this.server = TlsConfig.builder().certificateChain(files.serverChain()).privateKey(files.serverKey()).build();
        this.client = Pem.clientContext(files.ca(), null, null);
    }

    /** @return a connected TLS socket to 127.0.0.1:port (SNI localhost, endpoint identification HTTPS), handshake done. */
    static SSLSocket connect(final SSLContext context, final int port, final String... protocols) throws IOException {
        final Socket raw = new Socket();
        raw.setTcpNoDelay(true);
        raw.setSoTimeout(TestClient.READ_TIMEOUT_MILLIS);
        raw.connect(new InetSocketAddress("127.0.0.1", port), TestClient.READ_TIMEOUT_MILLIS);
        final SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, "localhost", port, true);
        final SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setServerNames(List.of(new SNIHostName("localhost")));
        if (protocols.length > 0) {
            p.setProtocols(protocols);
        }
        s.setSSLParameters(p);
        s.setSoTimeout(TestClient.READ_TIMEOUT_MILLIS);
        s.startHandshake();
        return s;
    }

    /** Writes a file in the fixture directory. */
    Path write(final String name, final String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }
}
