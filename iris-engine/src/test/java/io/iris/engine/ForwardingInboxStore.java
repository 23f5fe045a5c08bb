package io.iris.engine;

import io.iris.api.counters.IrisCounters;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import org.agrona.DirectBuffer;

/**
 * An {@link InboxStore} that forwards every call, the default methods included, to another: engine tests
 * extend it and override only the calls they hold, count or change.
 */
public class ForwardingInboxStore implements InboxStore {
    /** The store every call goes to. */
    protected final InboxStore delegate;

    /**
     * @param delegate the store every call goes to.
     */
    public ForwardingInboxStore(final InboxStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                       final int offset, final int length) {
        return delegate.append(userId, senderId, clientMsgId, record, offset, length);
    }

    @Override
    public void registerCounters(final IrisCounters counters) {
        delegate.registerCounters(counters);
    }

    @Override
    public void sync() {
        delegate.sync();
    }

    @Override
    public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
        return delegate.read(userId, afterSeq, maxRecords, visitor);
    }

    @Override
    public long lastSeq(final String userId) {
        return delegate.lastSeq(userId);
    }

    @Override
    public long oldestSeq(final String userId) {
        return delegate.oldestSeq(userId);
    }

    @Override
    public long cursor(final String userId, final String deviceId) {
        return delegate.cursor(userId, deviceId);
    }

    @Override
    public void ack(final String userId, final String deviceId, final long upToSeq) {
        delegate.ack(userId, deviceId, upToSeq);
    }

    @Override
    public void recordLastSeen(final String userId, final long epochMillis) {
        delegate.recordLastSeen(userId, epochMillis);
    }

    @Override
    public long lastSeen(final String userId) {
        return delegate.lastSeen(userId);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
