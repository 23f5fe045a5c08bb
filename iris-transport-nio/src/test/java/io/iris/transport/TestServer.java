package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.limit.AddressConnectionCounts;
import org.agrona.DirectBuffer;

import java.io.IOException;

/** A {@link NioTransport} with one {@link Listener}: what most transport tests need, under one name. */
final class TestServer implements AutoCloseable {
    final NioTransport transport;
    final Listener listener;

    TestServer(final NioServerConfig config, final ConnectionHandler handler) {
        this(NioTransportConfig.defaults(), config, handler);
    }

    TestServer(final NioTransportConfig transportConfig, final NioServerConfig config, final ConnectionHandler handler) {
        this.transport = new NioTransport(transportConfig);
        this.listener = transport.listener(config, handler);
    }

    void start() throws IOException {
        transport.start();
    }

    int port() {
        return listener.port();
    }

    int connectionCount() {
        return listener.connectionCount();
    }

    int maxConnections() {
        return listener.maxConnections();
    }

    long connectionsRefusedByAddressCap() {
        return listener.connectionsRefusedByAddressCap();
    }

    long connectionsRefusedByAddressRate() {
        return listener.connectionsRefusedByAddressRate();
    }

    void refuseNewConnections(final boolean refuse) {
        listener.refuseNewConnections(refuse);
    }

    boolean isRefusingNewConnections() {
        return listener.isRefusingNewConnections();
    }

    AddressConnectionCounts perAddress() {
        return listener.perAddress();
    }

    long unsentBytes() {
        return transport.unsentBytes();
    }

    boolean offer(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
        return transport.offer(connectionId, buffer, offset, length);
    }

    boolean offerClose(final long connectionId, final ErrorCode code, final String text) {
        return transport.offerClose(connectionId, code, text);
    }

    void drain() {
        transport.drain();
    }

    boolean awaitFlushed(final long timeoutMillis) {
        return transport.awaitFlushed(timeoutMillis);
    }

    int borrowedBuffers() {
        return transport.borrowedBuffers();
    }

    Thread[] ioThreads() {
        return transport.ioThreads();
    }

    @Override
    public void close() {
        transport.close();
    }
}
