package io.iris.engine.fakes;

import io.iris.protocol.ErrorCode;
import io.iris.transport.FrameSink;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A transport standing in for the I/O threads: records each frame offered as {@code connection:frame}; while
 * {@link #full} it refuses every offer, as a full I/O-thread queue does.
 */
public final class RecordingSink implements FrameSink {
    /** While true, every offer is refused. */
    public boolean full;
    private final List<String> frames = new ArrayList<>();

    @Override
    public boolean offer(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
        if (full) {
            return false;
        }
        frames.add(connectionId + ":" + Frames.describe(buffer, offset, length));
        return true;
    }

    @Override
    public boolean offerClose(final long connectionId, final ErrorCode code, final String text) {
        if (full) {
            return false;
        }
        frames.add(connectionId + ":close " + code);
        return true;
    }

    /** @return the frames recorded since the last call. */
    public List<String> take() {
        final List<String> copy = new ArrayList<>(frames);
        frames.clear();
        return copy;
    }
}
