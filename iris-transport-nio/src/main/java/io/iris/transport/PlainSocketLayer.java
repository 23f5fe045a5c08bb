package io.iris.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The socket layer of a plaintext connection: reads into the loop's shared buffer and hands the bytes to the
 * framing in place; writes the output queue with one gathering write. Stateless: one instance serves every
 * plaintext connection, so it costs an idle connection nothing.
 */
final class PlainSocketLayer implements SocketLayer {
    static final PlainSocketLayer INSTANCE = new PlainSocketLayer();

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);

    private PlainSocketLayer() {
    }

    @Override
    public void onOpen(final EventLoop loop, final NioConnection c) {
    }

    @Override
    public boolean read(final EventLoop loop, final NioConnection c) throws IOException {
        final ByteBuffer rb = loop.readBuffer;
        rb.clear();
        final int n = c.channel.read(rb);
        if (n < 0) {
            loop.closeNow(c);
            return false;
        }
        if (n == 0) {
            return false;
        }
        loop.read(n);
        c.framing.decode(c, loop.readView, 0, n);
        return n == rb.capacity();
    }

    @Override
    public boolean flush(final EventLoop loop, final NioConnection c) throws IOException {
        return loop.flushPlain(c);
    }

    @Override
    public void flushBeforeClose(final EventLoop loop, final NioConnection c) {
        try {
            loop.flushPlain(c);
            EventLoop.discardInbound(c.channel, loop.discard);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("could not send the error frame to " + c + ": " + e);
            }
        }
    }

    @Override
    public void close(final EventLoop loop, final NioConnection c) {
    }

    @Override
    public void failed(final NioConnection c) {
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public boolean hasCarriedInput() {
        return false;
    }
}
