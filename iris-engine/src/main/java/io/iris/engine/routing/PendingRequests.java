package io.iris.engine.routing;

import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;

import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Futures of the embedding API's requests ({@code Iris.send}, {@code Iris.presence}) and of the admin API's
 * ({@link ShardCommand#SESSIONS}, {@link ShardCommand#DISCONNECT}) waiting for a
 * shard's answer, by request id: a command from the embedding API carries its request id as a
 * {@link ReplyOrigin#API} origin. Futures are completed on the shard thread: dependants should not block.
 */
public final class PendingRequests {
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<?>> pending = new ConcurrentHashMap<>();

    /**
     * @param future the future to complete later.
     * @return its request id.
     */
    public long register(final CompletableFuture<?> future) {
        final long id = ids.incrementAndGet();
        pending.put(id, future);
        return id;
    }

    /**
     * Forgets a request whose command could not be queued.
     *
     * @param requestId the id from {@link #register}.
     */
    public void cancel(final long requestId) {
        pending.remove(requestId);
    }

    /**
     * @param requestId the id from {@link #register}.
     * @param receipt   the answer.
     */
    @SuppressWarnings("unchecked")
    public void completeSend(final long requestId, final SendReceipt receipt) {
        final CompletableFuture<SendReceipt> f = (CompletableFuture<SendReceipt>) pending.remove(requestId);
        if (f != null) {
            f.complete(receipt);
        }
    }

    /**
     * @param requestId the id from {@link #register}.
     * @param presence  the answer.
     */
    @SuppressWarnings("unchecked")
    public void completePresence(final long requestId, final Presence presence) {
        final CompletableFuture<Presence> f = (CompletableFuture<Presence>) pending.remove(requestId);
        if (f != null) {
            f.complete(presence);
        }
    }

    /**
     * @param requestId the id from {@link #register}.
     * @param sessions  the answer to a {@link ShardCommand#SESSIONS}.
     */
    public void completeSessions(final long requestId, final List<DeviceSession> sessions) {
        complete(requestId, sessions);
    }

    /**
     * @param requestId the id from {@link #register}.
     * @param closed    the answer to a {@link ShardCommand#DISCONNECT}: sessions closed.
     */
    public void completeDisconnect(final long requestId, final int closed) {
        complete(requestId, closed);
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(final long requestId, final T answer) {
        final CompletableFuture<T> f = (CompletableFuture<T>) pending.remove(requestId);
        if (f != null) {
            f.complete(answer);
        }
    }

    /**
     * Fails every waiting request: the engine stopped.
     *
     * @param cause why.
     */
    public void failAll(final Throwable cause) {
        pending.values().forEach(f -> f.completeExceptionally(cause));
        pending.clear();
    }
}
