package io.iris.discovery.tck;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1 for the servers the tests start. */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** @return a port that was free a moment ago for both TCP and UDP on 127.0.0.1 (a DNS server needs both). */
    public static int freeTcpAndUdp() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    tcp.getLocalPort()))) {
                    return udp.getLocalPort();
                }
            } catch (final IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free loopback port found");
    }
}
