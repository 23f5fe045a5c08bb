package io.iris.client;

import io.iris.protocol.SendReceipt;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's sends not answered yet, in send order, and the window of those written on the current
 * connection.
 *
 * <p>Why: every unanswered SEND is kept (its future stays pending across reconnections) and re-sent in its
 * original order on each new connection, with the same client message id, so that the server's dedup stores
 * it once. At most {@link #SEND_WINDOW} are written ahead of their answers on one connection, so that
 * re-sending a large backlog after a reconnection can never wedge both sides with full socket buffers.
 * A connection is an <i>epoch</i>: an answer only frees window room if its SEND was written in the current
 * one.
 *
 * <p>Not thread-safe: the client's lock guards every call. Futures are never completed here (the client
 * completes them outside its lock).
 */
final class SendWindow {
    /** At most this many SENDs are written and not yet answered on one connection. */
    static final int SEND_WINDOW = 1024;

    private final LinkedHashMap<Long, PendingSend> pending = new LinkedHashMap<>();
    /** The ordered tail of {@link #pending} not written on the current connection yet. */
    private final ArrayDeque<PendingSend> unsent = new ArrayDeque<>();
    private int inFlight;
    private long epoch;
    private long idPrefix = newIdPrefix();
    private int idCounter;

    /** @return how many sends are unanswered. */
    int size() {
        return pending.size();
    }

    /** @param clientMsgId a client message id. @return true if a send with it is unanswered. */
    boolean isPending(final long clientMsgId) {
        return pending.containsKey(clientMsgId);
    }

    /**
     * @return a fresh client message id: a random 32-bit prefix plus a counter (unique within this client,
     * and across clients of the same user with high probability), never one still pending.
     */
    long nextClientMsgId() {
        long id;
        do {
            if (idCounter == -1) {
                idPrefix = newIdPrefix(); // 2^32 ids used: move to a fresh range
            }
            id = idPrefix | (idCounter++ & 0xFFFF_FFFFL);
        } while (pending.containsKey(id));
        return id;
    }

    /** @param send a new send, queued after every other one. */
    void add(final PendingSend send) {
        pending.put(send.clientMsgId, send);
        unsent.addLast(send);
    }

    /** @return the next send to write on the current connection, or null if none or the window is full. */
    PendingSend nextToWrite() {
        while (inFlight < SEND_WINDOW && !unsent.isEmpty()) {
            final PendingSend p = unsent.peekFirst();
            if (!p.done) {
                return p;
            }
            unsent.pollFirst();
        }
        return null;
    }

    /** @param send the send {@link #nextToWrite()} returned, now written on the current connection. */
    void written(final PendingSend send) {
        unsent.pollFirst();
        send.epoch = epoch;
        inFlight++;
    }

    /**
     * @param clientMsgId the id a SEND_ACK echoed.
     * @return the send it answers, now removed, or null if none is pending with that id.
     */
    PendingSend answered(final long clientMsgId) {
        final PendingSend p = pending.remove(clientMsgId);
        if (p != null) {
            p.done = true;
            if (p.epoch == epoch) {
                inFlight--;
            }
        }
        return p;
    }

    /**
     * A new connection logged in: every pending send is to be written again, in order.
     *
     * @param maxPayload the new server's largest payload.
     * @return the sends whose payload it refuses, now removed (the caller fails them).
     */
    List<PendingSend> restart(final int maxPayload) {
        epoch++;
        unsent.clear();
        inFlight = 0;
        final List<PendingSend> refused = new ArrayList<>();
        for (final PendingSend p : pending.values()) {
            if (p.payload.length > maxPayload) {
                refused.add(p);
            } else {
                unsent.addLast(p);
            }
        }
        for (final PendingSend p : refused) {
            p.done = true;
            pending.remove(p.clientMsgId);
        }
        return refused;
    }

    /** @return every pending send, now removed (the client stopped; the caller fails them). */
    List<PendingSend> clear() {
        final List<PendingSend> all = new ArrayList<>(pending.values());
        for (final PendingSend p : all) {
            p.done = true;
        }
        pending.clear();
        unsent.clear();
        return all;
    }

    private static long newIdPrefix() {
        return ((long) new SecureRandom().nextInt()) << 32;
    }

    /** One SEND not answered yet. Mutable fields are guarded by the client's lock. */
    static final class PendingSend {
        final long clientMsgId;
        final byte[] recipient;
        final byte[] payload;
        final CompletableFuture<SendReceipt> future;
        long epoch = -1;
        boolean done;

        PendingSend(final long clientMsgId, final byte[] recipient, final byte[] payload,
                    final CompletableFuture<SendReceipt> future) {
            this.clientMsgId = clientMsgId;
            this.recipient = recipient;
            this.payload = payload;
            this.future = future;
        }
    }
}
