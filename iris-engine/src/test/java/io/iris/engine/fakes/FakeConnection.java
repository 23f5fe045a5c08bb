package io.iris.engine.fakes;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.transport.Connection;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A {@link Connection} without a socket: records what the handler writes and how it closes it. */
public final class FakeConnection implements Connection {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 1);
    private final long id;
    private final List<String> written = new ArrayList<>();
    private Object attachment;
    private int maxInbound = Protocol.MAX_FRAME_BEFORE_LOGIN;
    private boolean open = true;
    /** The error the connection was closed with, or null. */
    public ErrorCode closedWith;

    /** @param id its id. */
    public FakeConnection(final long id) {
        this.id = id;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return ADDRESS;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean write(final DirectBuffer buffer, final int offset, final int length) {
        written.add(Frames.describe(buffer, offset, length));
        return open;
    }

    @Override
    public void closeWithError(final ErrorCode code, final String text) {
        if (open) {
            closedWith = code;
        }
        open = false;
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public int maxInboundFrame() {
        return maxInbound;
    }

    @Override
    public void maxInboundFrame(final int length) {
        maxInbound = length;
    }

    @Override
    public void readTimeout(final long millis, final ErrorCode code) {
    }

    @Override
    public void closeAfter(final long millis, final ErrorCode code, final String text) {
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attach(final Object attachment) {
        this.attachment = attachment;
    }

    /** @return the frames written since the last call. */
    public List<String> take() {
        final List<String> copy = new ArrayList<>(written);
        written.clear();
        return copy;
    }
}
