package io.iris.storage.redis;

import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageUnavailableException;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Traffic through a store the way the engine drives it: batches of appends, one sync per batch, and a
 * message counts as acknowledged only when the sync of its batch returned. A message whose append or
 * sync failed is retried later with the same dedup key, as a client resends an unacknowledged SEND.
 * Runs on its own thread until {@link #stop()}; bounded by the number of messages.
 */
final class TrafficWriter implements Runnable {
    private static final String SENDER = "writer";

    private final InboxStore store;
    private final String[] users;
    private final int batch;
    private final int maxMessages;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong appendErrors = new AtomicLong();
    private final AtomicLong syncErrors = new AtomicLong();
    private final Map<Long, long[]> acknowledged = Collections.synchronizedMap(new HashMap<>()); // id -> {user, seq}
    private volatile boolean stop;
    private volatile Throwable crash;
    private long nextId = 1;

    /**
     * @param store       the store.
     * @param users       how many recipients the messages rotate over.
     * @param batch       appends per sync.
     * @param maxMessages the most messages ever written (bounds the test).
     */
    TrafficWriter(final InboxStore store, final int users, final int batch, final int maxMessages) {
        this.store = store;
        this.users = new String[users];
        for (int i = 0; i < users; i++) {
            this.users[i] = "user-" + i + (i % 2 == 0 ? "" : "{odd}");
        }
        this.batch = batch;
        this.maxMessages = maxMessages;
    }

    static byte[] payload(final long id) {
        return ("message " + id).getBytes(StandardCharsets.UTF_8);
    }

    String user(final long id) {
        return users[(int) (id % users.length)];
    }

    String[] users() {
        return users.clone();
    }

    @Override
    public void run() {
        final ArrayDeque<Long> retry = new ArrayDeque<>();
        final List<long[]> inBatch = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        try {
            while (!stop) {
                inBatch.clear();
                boolean failed = false;
                for (int i = 0; i < batch; i++) {
                    final long id;
                    if (!retry.isEmpty()) {
                        id = retry.poll();
                    } else if (nextId <= maxMessages) {
                        id = nextId++;
                    } else {
                        break;
                    }
                    final byte[] p = payload(id);
                    buffer.putBytes(0, p);
                    try {
                        final long r = store.append(user(id), SENDER, id, buffer, 0, p.length);
                        inBatch.add(new long[]{id, Math.abs(r)});
                    } catch (final StorageUnavailableException e) {
                        appendErrors.incrementAndGet();
                        retry.add(id);
                        failed = true;
                        break;
                    }
                }
                try {
                    store.sync();
                    for (final long[] m : inBatch) {
                        acknowledged.put(m[0], new long[]{m[0] % users.length, m[1]});
                        acked.incrementAndGet();
                    }
                } catch (final StorageUnavailableException e) {
                    syncErrors.incrementAndGet();
                    for (final long[] m : inBatch) {
                        retry.add(m[0]);
                    }
                    failed = true;
                }
                if (failed || inBatch.isEmpty()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // a client's retry back-off
                }
            }
        } catch (final Throwable t) {
            crash = t;
        }
    }

    void stop() {
        stop = true;
    }

    /** @return messages acknowledged (their batch's sync returned). */
    long acked() {
        return acked.get();
    }

    /** @return failed appends plus failed syncs. */
    long errors() {
        return appendErrors.get() + syncErrors.get();
    }

    long appendErrors() {
        return appendErrors.get();
    }

    long syncErrors() {
        return syncErrors.get();
    }

    /** @return what the writer thread died of, if anything but {@link StorageUnavailableException}. */
    Throwable crash() {
        return crash;
    }

    /** @return message id -> {user index, seq}, for every acknowledged message. */
    Map<Long, long[]> acknowledged() {
        synchronized (acknowledged) {
            return new HashMap<>(acknowledged);
        }
    }
}
