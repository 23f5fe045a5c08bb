package io.iris.storage.redis;

import io.iris.api.counters.IrisCounters;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.api.storage.StorageUnavailableException;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.resource.ClientResources;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link InboxStore} in Redis or Redis Cluster (through Lettuce), for deployments whose nodes share
 * their inboxes.
 *
 * <h2>Why it is built this way</h2>
 * The SPI wants {@link #append} to return the record's seq at once and {@link #sync()} to be the
 * durability barrier, so that the engine can group-commit. Against Redis a naive append costs a round
 * trip, and with {@code appendfsync always} each round trip waits for an fsync: a few hundred appends
 * a second. So appends are pipelined, and the seq is <em>predicted</em>:
 * <ul>
 *   <li>The store remembers each recently used user's last seq (bounded LRU, {@code localUsers}).
 *       An append for a known user is sent as {@code EVALSHA append} with the expected seq
 *       ({@code last + 1}) and returns that seq without waiting. The Lua script stores the record only if
 *       the expected seq is really next and the dedup key is new; otherwise it stores nothing and
 *       says why. Redis runs one connection's commands in order, so a user's predictions hold as long as
 *       this store is the inbox's only writer (the engine gives every user one home shard). Every
 *       command about a user travels on the same connection ("lane", see {@link RedisLink}), so they
 *       stay in order.</li>
 *   <li>An append for a user the store does not know yet (first use, after an eviction, after a
 *       failure) waits for its reply: one round trip that also learns the seq.</li>
 *   <li>{@link #sync()} waits for the replies of every append issued before it (by any thread) and
 *       compares each with its prediction. Only when Redis acknowledged all of them does it return; with
 *       {@code waitReplicas > 0} it then runs {@code WAIT} on every master. A reply that contradicts a
 *       prediction (another writer, a retry of a message stored before this process started) makes
 *       that sync throw {@link StorageUnavailableException}: the engine answers the retryable
 *       STORAGE_UNAVAILABLE, the sender retries, and the retry is answered exactly because the store
 *       forgot the user and asks Redis synchronously. A failed append is also reported to the next sync of
 *       the thread that appended it, so no thread ever acknowledges a write Redis refused.</li>
 *   <li>Retries of recent messages are answered locally: the store remembers the dedup keys it
 *       appended (bounded, {@code localDedupKeys}), and a retry of a key still in flight rides on the
 *       original's reply.</li>
 * </ul>
 *
 * <h2>Failures</h2>
 * Lettuce does not reconnect by itself here and rejects commands while disconnected, so a lost
 * connection fails every write in flight instead of replaying it later. A {@link CircuitBreaker}
 * counts failures; once open, every operation fails fast with {@link StorageUnavailableException}
 * until, every {@code breaker.openMillis}, one caller probes: it connects a fresh link and loads the
 * scripts. Success closes the breaker and service resumes by itself. Every local prediction is
 * dropped on reconnect.
 *
 * <h2>Bounds</h2>
 * At most {@code maxPendingAppends} appends wait for a sync (beyond, appends are refused); the
 * local caches are LRU-bounded, split in {@value #STRIPES} stripes, each with its own lock, so
 * different users rarely contend; per inbox Redis keeps the newest {@code dedup.window} dedup keys.
 *
 * <p>Reads, acks, {@link #lastSeq} and {@link #cursor} are synchronous round trips; reads and
 * {@link #lastSeq} see every append of the same user issued before them, synced or not, because they
 * travel on the user's ordered connection.
 */
public final class RedisInboxStore implements InboxStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisInboxStore.class);
    private static final int STRIPES = 64;
    private static final int READ_PAGE = 256;
    private static final String[] SCRIPTS = {InboxScripts.APPEND, InboxScripts.ACK};
    private static final byte[] NO_BYTES = new byte[0];

    private final RedisStoreConfig config;
    private final EpochClock clock;
    private final InboxKeys keys;
    private final RedisConnector connector;
    private final CircuitBreaker breaker;
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final Semaphore pendingSlots;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final ArrayList<Pending> draining = new ArrayList<>();
    private final ThreadLocal<Appender> appenders = ThreadLocal.withInitial(Appender::new);
    private final Object linkLock = new Object();
    private final byte[] retentionArg;
    private final byte[] windowArg;
    private final long retentionMillis;
    private volatile RedisLink link;
    private volatile long cacheEpoch;
    private volatile boolean scriptsLoaded;
    private volatile boolean closed;
    /** {@code iris_storage_redis_errors_total} once {@link #registerCounters} ran; null before. */
    private volatile AtomicCounter errors;

    /**
     * Connects and loads the scripts.
     *
     * @param config the settings.
     * @param clock  the clock for append times and retention.
     * @throws StorageUnavailableException if Redis cannot be reached now.
     */
    public RedisInboxStore(final RedisStoreConfig config, final EpochClock clock) {
        this(config, clock, null);
    }

    /**
     * @param config    the settings.
     * @param clock     the clock for append times and retention.
     * @param resources shared Lettuce resources, or null; the store never shuts shared resources down.
     */
    RedisInboxStore(final RedisStoreConfig config, final EpochClock clock, final ClientResources resources) {
        this.config = config;
        this.clock = clock == null ? SystemEpochClock.INSTANCE : clock;
        this.keys = new InboxKeys(config.keyPrefix());
        this.breaker = new CircuitBreaker(config.breakerFailures(), TimeUnit.MILLISECONDS.toNanos(config.breakerOpenMillis()));
        this.pendingSlots = new Semaphore(config.maxPendingAppends());
        this.retentionMillis = config.retentionSeconds() * 1000L;
        this.retentionArg = ascii(retentionMillis);
        this.windowArg = ascii(config.dedupWindow());
        final int usersPerStripe = Math.max(1, config.localUsers() / STRIPES);
        final int keysPerStripe = Math.max(1, config.localDedupKeys() / STRIPES);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(usersPerStripe, keysPerStripe);
        }
        this.connector = new RedisConnector(config, resources);
        try {
            final RedisLink first = connector.connect();
            try {
                first.loadScripts(SCRIPTS, config.timeoutMillis());
            } catch (final RuntimeException e) {
                first.close();
                throw e;
            }
            this.link = first;
            this.scriptsLoaded = true;
        } catch (final RuntimeException e) {
            connector.shutdown();
            throw new StorageUnavailableException("cannot reach Redis at " + config.uri() + " (config key '"
                + RedisStoreConfig.URI + "'): " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------- appends

    @Override
    public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                       final int offset, final int length) {
        if (length < 1) {
            throw new IllegalArgumentException("record length must be at least 1: " + length);
        }
        final RedisLink l = acquire();
        final Appender owner = appenders.get();
        final int index = stripeIndex(userId);
        final Stripe stripe = stripes[index];
        final DedupKey key = new DedupKey(userId, senderId, clientMsgId);
        stripe.lock.lock();
        try {
            stripe.refresh(cacheEpoch);
            final Object known = stripe.dedup.get(key);
            if (known instanceof Pending) { // a retry of an append still in flight: it stands or falls with it
                final Pending original = (Pending) known;
                enqueue(new Pending(owner, stripe, key, original.seq, null, original, l));
                return -original.seq;
            }
            if (known != null) { // a retry of an append Redis acknowledged
                final long seq = (Long) known;
                enqueue(Pending.resolved(owner, stripe, key, seq, l));
                return -seq;
            }
            final byte[][] k = keys.of(userId);
            final byte[] member = InboxKeys.dedupMember(senderId, clientMsgId);
            final byte[] bytes = new byte[length];
            record.getBytes(offset, bytes);
            final UserSeq user = stripe.users.get(userId);
            reserveSlot();
            if (user == null) {
                return appendAndWait(l, lane(l, index), owner, stripe, key, userId, k, member, bytes);
            }
            final long predicted = user.last + 1;
            final RedisFuture<Long> reply;
            try {
                reply = dispatchAppend(l, lane(l, index), k, predicted, member, bytes);
            } catch (final RuntimeException e) {
                pendingSlots.release();
                stripe.users.remove(userId);
                throw failure(l, "append to " + userId, e);
            }
            user.last = predicted;
            final Pending p = new Pending(owner, stripe, key, predicted, reply, null, l);
            stripe.dedup.put(key, p);
            pending.add(p);
            return predicted;
        } finally {
            stripe.lock.unlock();
        }
    }

    /** The user's last seq is not known here: append with "take the next seq" and wait for the answer. */
    private long appendAndWait(final RedisLink l, final int lane, final Appender owner, final Stripe stripe, final DedupKey key,
                               final String userId, final byte[][] k, final byte[] member, final byte[] bytes) {
        final long result;
        try {
            result = RedisConnector.await(dispatchAppend(l, lane, k, 0, member, bytes), config.timeoutMillis());
        } catch (final RuntimeException e) {
            pendingSlots.release();
            throw failure(l, "append to " + userId, e);
        }
        reportSuccess(l);
        if (result > 0) {
            stripe.users.put(userId, new UserSeq(result));
            stripe.dedup.put(key, result);
        } else if (result < 0) {
            stripe.dedup.put(key, -result);
        } else {
            pendingSlots.release();
            throw new StorageUnavailableException("Redis refused an unconditional append to " + userId, null);
        }
        pending.add(Pending.resolved(owner, stripe, key, Math.abs(result), l)); // so sync() WAITs for it too
        return result;
    }

    private RedisFuture<Long> dispatchAppend(final RedisLink l, final int lane, final byte[][] k, final long expected,
                                             final byte[] member, final byte[] bytes) {
        return l.async(lane).evalsha(InboxScripts.APPEND_SHA, ScriptOutputType.INTEGER,
            new byte[][]{k[InboxKeys.SEQ_KEY], k[InboxKeys.LOG_KEY], k[InboxKeys.DEDUP_KEY]},
            ascii(expected), member, bytes, ascii(clock.time()), retentionArg, windowArg);
    }

    private void enqueue(final Pending p) {
        reserveSlot();
        pending.add(p);
    }

    private void reserveSlot() {
        if (!pendingSlots.tryAcquire()) {
            throw new StorageUnavailableException(config.maxPendingAppends()
                + " appends are waiting for a sync; sync before appending more", null);
        }
    }

    // ------------------------------------------------------------------------------------- sync

    @Override
    public void sync() {
        checkOpen();
        final Appender me = appenders.get();
        syncLock.lock();
        try {
            for (Pending p = pending.poll(); p != null; p = pending.poll()) {
                draining.add(p);
            }
            Throwable error = null;
            RedisLink errorLink = null;
            int refused = 0;
            int confirmed = 0;
            if (!draining.isEmpty()) {
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
                for (int i = 0; i < draining.size(); i++) {
                    final Pending p = draining.get(i);
                    if (p.original != null) {
                        p.outcome = p.original.outcome;
                    } else if (p.reply != null) {
                        try {
                            final long result = awaitUntil(p.reply, deadline);
                            if (result == p.seq || result == -p.seq) { // -seq: a resent append found itself
                                p.outcome = 1;
                                p.stripe.confirmed(p);
                            } else {
                                p.outcome = -1;
                                refused++;
                                p.stripe.refused(p, result);
                            }
                        } catch (final Exception e) {
                            p.outcome = -1;
                            p.stripe.refused(p, 0);
                            if (error == null) {
                                error = unwrap(e);
                                errorLink = p.link;
                            }
                        }
                    }
                    if (p.outcome > 0) {
                        confirmed++;
                    } else {
                        p.owner.failed = true;
                    }
                }
                if (error == null && confirmed > 0 && config.waitReplicas() > 0) {
                    error = waitForReplicas();
                    errorLink = link;
                    if (error != null) {
                        for (int i = 0; i < draining.size(); i++) {
                            draining.get(i).owner.failed = true;
                        }
                    }
                }
                if (error != null) {
                    failure(errorLink, "sync", error);
                } else {
                    reportSuccess(link);
                }
                pendingSlots.release(draining.size());
            }
            final boolean mine = me.failed;
            me.failed = false;
            if (error != null) {
                throw new StorageUnavailableException("Redis did not acknowledge " + (draining.size() - confirmed)
                    + " of " + draining.size() + " appends: " + error, error);
            }
            if (refused > 0) {
                throw new StorageUnavailableException("Redis refused " + refused + " of " + draining.size()
                    + " appends (a dedup key or seq this store did not know of; retry)", null);
            }
            if (mine) {
                throw new StorageUnavailableException("an earlier append of this thread was not acknowledged by Redis",
                    null);
            }
        } finally {
            draining.clear();
            syncLock.unlock();
        }
    }

    private Throwable waitForReplicas() {
        final RedisLink l = link;
        try {
            final long acked = l.waitForReplicas(config.waitReplicas(), config.waitTimeoutMillis(), config.timeoutMillis());
            if (acked < config.waitReplicas()) {
                return new IllegalStateException("WAIT: " + acked + " of " + config.waitReplicas()
                    + " replicas acknowledged within " + config.waitTimeoutMillis() + " ms");
            }
            return null;
        } catch (final RuntimeException e) {
            return e;
        }
    }

    // ------------------------------------------------------------------------------------- reads, acks

    @Override
    public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
        checkOpen();
        if (maxRecords <= 0) {
            return 0;
        }
        final RedisLink l = acquire();
        final byte[] logKey = keys.log(userId);
        final long cutoff = retentionMillis > 0 ? clock.time() - retentionMillis : Long.MIN_VALUE;
        final UnsafeBuffer view = new UnsafeBuffer(NO_BYTES);
        long after = Math.max(0, afterSeq);
        int visited = 0;
        int page = Math.min(READ_PAGE, maxRecords);
        while (visited < maxRecords && after < Long.MAX_VALUE) {
            final List<StreamMessage<byte[], byte[]>> entries;
            try {
                entries = RedisConnector.await(l.async(lane(l, stripeIndex(userId))).xrange(logKey,
                    Range.from(Range.Boundary.including(Long.toString(after + 1)), Range.Boundary.unbounded()),
                    Limit.from(page)), config.timeoutMillis());
            } catch (final RuntimeException e) {
                throw failure(l, "read of " + userId, e);
            }
            boolean skipped = false;
            for (final StreamMessage<byte[], byte[]> m : entries) {
                final long seq = seqOf(m.getId());
                after = seq;
                byte[] bytes = null;
                long time = Long.MAX_VALUE;
                for (final Map.Entry<byte[], byte[]> field : m.getBody().entrySet()) {
                    final byte[] name = field.getKey();
                    if (name.length == 1 && name[0] == 'r') {
                        bytes = field.getValue();
                    } else if (name.length == 1 && name[0] == 't') {
                        time = parseLong(field.getValue());
                    }
                }
                if (bytes == null || time < cutoff) {
                    skipped = true;
                    continue; // past the retention: as good as trimmed
                }
                if (visited < maxRecords) {
                    view.wrap(bytes);
                    visitor.onRecord(seq, view, 0, bytes.length);
                    visited++;
                }
            }
            if (entries.size() < page) {
                break;
            }
            page = skipped ? READ_PAGE : Math.min(READ_PAGE, Math.max(1, maxRecords - visited));
        }
        reportSuccess(l);
        return visited;
    }

    @Override
    public long lastSeq(final String userId) {
        checkOpen();
        final RedisLink l = acquire();
        try {
            final byte[] value = RedisConnector.await(l.async(lane(l, stripeIndex(userId))).get(keys.seq(userId)), config.timeoutMillis());
            reportSuccess(l);
            return value == null ? 0 : parseLong(value);
        } catch (final RuntimeException e) {
            throw failure(l, "lastSeq of " + userId, e);
        }
    }

    @Override
    public long cursor(final String userId, final String deviceId) {
        checkOpen();
        final RedisLink l = acquire();
        try {
            final byte[] value = RedisConnector.await(l.async(lane(l, stripeIndex(userId))).hget(keys.cursors(userId), utf8(deviceId)),
                config.timeoutMillis());
            reportSuccess(l);
            return value == null ? 0 : parseLong(value);
        } catch (final RuntimeException e) {
            throw failure(l, "cursor of " + userId, e);
        }
    }

    @Override
    public void ack(final String userId, final String deviceId, final long upToSeq) {
        checkOpen();
        final RedisLink l = acquire();
        final byte[][] k = keys.of(userId);
        try {
            final RedisFuture<Long> reply = l.async(lane(l, stripeIndex(userId))).evalsha(InboxScripts.ACK_SHA, ScriptOutputType.INTEGER,
                new byte[][]{k[InboxKeys.SEQ_KEY], k[InboxKeys.LOG_KEY], k[InboxKeys.CURSORS_KEY]},
                utf8(deviceId), ascii(Math.max(0, upToSeq)));
            RedisConnector.await(reply, config.timeoutMillis());
            reportSuccess(l);
        } catch (final RuntimeException e) {
            throw failure(l, "ack of " + userId, e);
        }
    }

    /** {@inheritDoc} One {@code SET} on the user's lane, waited for (it is as durable as Redis makes it). */
    @Override
    public void recordLastSeen(final String userId, final long epochMillis) {
        checkOpen();
        final RedisLink l = acquire();
        try {
            RedisConnector.await(l.async(lane(l, stripeIndex(userId))).set(keys.seen(userId), ascii(epochMillis)),
                config.timeoutMillis());
            reportSuccess(l);
        } catch (final RuntimeException e) {
            throw failure(l, "last seen of " + userId, e);
        }
    }

    @Override
    public long lastSeen(final String userId) {
        checkOpen();
        final RedisLink l = acquire();
        try {
            final byte[] value = RedisConnector.await(l.async(lane(l, stripeIndex(userId))).get(keys.seen(userId)),
                config.timeoutMillis());
            reportSuccess(l);
            return value == null ? 0 : parseLong(value);
        } catch (final RuntimeException e) {
            throw failure(l, "last seen of " + userId, e);
        }
    }

    /**
     * Closes the connection and the client. Appends not yet synced may or may not be in Redis.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (linkLock) {
            if (closed) {
                return;
            }
            closed = true;
            final RedisLink l = link;
            if (l != null) {
                l.close();
            }
            connector.shutdown();
        }
    }

    /** @return true while the circuit breaker refuses operations. */
    public boolean isUnavailable() {
        return breaker.isOpen();
    }

    /** @return how many times the circuit breaker opened since the store started. */
    public long outages() {
        return breaker.timesOpened();
    }

    /**
     * Registers {@code iris_storage_redis_breaker_state} (0 closed, 1 open, 2 half-open),
     * {@code iris_storage_redis_breaker_opens_total} and {@code iris_storage_redis_errors_total}, updated when a
     * Redis call fails or the breaker changes state (never on a successful call).
     */
    @Override
    public void registerCounters(final IrisCounters counters) {
        breaker.publishTo(
            counters.gauge("iris_storage_redis_breaker_state", "Redis circuit breaker: 0 closed, 1 open, 2 half-open."),
            counters.counter("iris_storage_redis_breaker_opens_total", "Times the Redis circuit breaker opened."));
        errors = counters.counter("iris_storage_redis_errors_total", "Redis calls that failed (timeouts, lost"
            + " connections, errors), probes included.");
    }

    /** @return the settings in force. */
    public RedisStoreConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------- failures

    private RedisLink acquire() {
        checkOpen();
        switch (breaker.acquire(System.nanoTime())) {
            case PASS:
                final RedisLink l = link;
                if (!scriptsLoaded) {
                    reloadScripts(l);
                }
                return l;
            case PROBE:
                return probe();
            default:
                throw new StorageUnavailableException("Redis at " + config.uri() + " is unavailable; next attempt in "
                    + breaker.millisUntilProbe(System.nanoTime()) + " ms", null);
        }
    }

    /** Half-open: connect a fresh link, load the scripts, and swap it in. */
    private RedisLink probe() {
        synchronized (linkLock) {
            checkOpen();
            try {
                final RedisLink fresh = connector.connect();
                try {
                    fresh.loadScripts(SCRIPTS, config.timeoutMillis());
                } catch (final RuntimeException e) {
                    fresh.close();
                    throw e;
                }
                final RedisLink old = link;
                link = fresh;
                scriptsLoaded = true;
                cacheEpoch++; // forget every prediction: whatever was in flight on the old link failed
                old.close();
                breaker.onSuccess();
                LOG.info("Redis at {} is reachable again", config.uri());
                return fresh;
            } catch (final RuntimeException e) {
                countError();
                breaker.onFailure(System.nanoTime(), true);
                throw new StorageUnavailableException("Redis at " + config.uri() + " is still unreachable: "
                    + e.getMessage(), e);
            }
        }
    }

    private void reloadScripts(final RedisLink l) {
        try {
            l.loadScripts(SCRIPTS, config.timeoutMillis());
            scriptsLoaded = true;
        } catch (final RuntimeException e) {
            throw failure(l, "script load", e);
        }
    }

    private void reportSuccess(final RedisLink used) {
        if (used == link && breaker.isOpen()) {
            return; // only a probe closes an open breaker
        }
        if (used == link) {
            breaker.onSuccess();
        }
    }

    /**
     * Counts a failure against the breaker (unless it happened on a link already replaced) and wraps it.
     */
    private StorageUnavailableException failure(final RedisLink used, final String what, final Throwable error) {
        countError();
        final Throwable e = unwrap(error);
        if (e instanceof RedisNoScriptException) {
            scriptsLoaded = false; // a restarted or failed-over node lost the scripts: load them again
        }
        final boolean lost = used == null || !used.isOpen() || e instanceof RedisConnectionException
            || !(e instanceof RedisCommandExecutionException) && String.valueOf(e.getMessage()).contains("onnection");
        if (used == link) {
            final boolean wasOpen = breaker.isOpen();
            breaker.onFailure(System.nanoTime(), lost);
            if (!wasOpen && breaker.isOpen()) {
                LOG.warn("Redis at {} failed ({}): refusing storage operations for {} ms",
                    config.uri(), e.toString(), config.breakerOpenMillis());
            }
        }
        if (error instanceof StorageUnavailableException) {
            return (StorageUnavailableException) error;
        }
        return new StorageUnavailableException(what + " failed: " + e, e);
    }

    private void countError() {
        final AtomicCounter c = errors;
        if (c != null) {
            c.increment();
        }
    }

    private static Throwable unwrap(final Throwable e) {
        return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    }

    private static long awaitUntil(final RedisFuture<Long> reply, final long deadlineNanos)
        throws InterruptedException, ExecutionException, TimeoutException {
        final Long value = reply.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (value == null) {
            throw new IllegalStateException("empty reply from Redis");
        }
        return value;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    private static int stripeIndex(final String userId) {
        final int h = userId.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** A user's lane: fixed by its stripe, so all of a user's commands travel on one ordered connection. */
    private static int lane(final RedisLink l, final int stripeIndex) {
        return stripeIndex % l.lanes();
    }

    // ------------------------------------------------------------------------------------- encoding

    private static long seqOf(final String streamId) {
        final int dash = streamId.indexOf('-');
        return Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
    }

    private static long parseLong(final byte[] ascii) {
        return Long.parseLong(new String(ascii, StandardCharsets.US_ASCII));
    }

    private static byte[] ascii(final long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------- local state

    /** A dedup key of one inbox. */
    private record DedupKey(String userId, String senderId, long clientMsgId) {
    }

    /** The last seq this store assigned (or learned) for a user. */
    private static final class UserSeq {
        long last;

        UserSeq(final long last) {
            this.last = last;
        }
    }

    /** Per thread: whether one of its appends failed since its last sync. */
    private static final class Appender {
        boolean failed; // written under syncLock, read by the owning thread under syncLock
    }

    /**
     * An append awaiting a sync: the predicted seq and Redis's future reply; or a retry riding on its
     * original; or an append already answered (nothing to wait for, but a WAIT must still cover it).
     */
    private static final class Pending {
        final Appender owner;
        final Stripe stripe;
        final DedupKey key;
        final long seq;
        final RedisFuture<Long> reply;
        final Pending original;
        final RedisLink link;
        int outcome; // 0 unknown, 1 acknowledged, -1 failed; under syncLock

        Pending(final Appender owner, final Stripe stripe, final DedupKey key, final long seq,
                final RedisFuture<Long> reply, final Pending original, final RedisLink link) {
            this.owner = owner;
            this.stripe = stripe;
            this.key = key;
            this.seq = seq;
            this.reply = reply;
            this.original = original;
            this.link = link;
        }

        static Pending resolved(final Appender owner, final Stripe stripe, final DedupKey key, final long seq,
                                final RedisLink link) {
            final Pending p = new Pending(owner, stripe, key, seq, null, null, link);
            p.outcome = 1;
            return p;
        }
    }

    /** A slice of the local caches with its own lock. */
    private static final class Stripe {
        final ReentrantLock lock = new ReentrantLock();
        final LinkedHashMap<String, UserSeq> users;
        final LinkedHashMap<DedupKey, Object> dedup; // value: Long (acknowledged seq) or Pending (in flight)
        long epoch;

        Stripe(final int maxUsers, final int maxKeys) {
            this.users = new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(final Map.Entry<String, UserSeq> eldest) {
                    return size() > maxUsers;
                }
            };
            this.dedup = new LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(final Map.Entry<DedupKey, Object> eldest) {
                    return size() > maxKeys;
                }
            };
        }

        /** Under {@link #lock}: drops everything learned before the current link. */
        void refresh(final long currentEpoch) {
            if (epoch != currentEpoch) {
                users.clear();
                dedup.clear();
                epoch = currentEpoch;
            }
        }

        void confirmed(final Pending p) {
            lock.lock();
            try {
                if (dedup.get(p.key) == p) {
                    dedup.put(p.key, p.seq);
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * @param result Redis's answer: the original seq negated for a key it knew, 0 for a stale seq or
         *               an error.
         */
        void refused(final Pending p, final long result) {
            lock.lock();
            try {
                users.remove(p.key.userId()); // the next append of this user asks Redis
                if (dedup.get(p.key) == p) {
                    if (result < 0) {
                        dedup.put(p.key, -result); // a retry of something stored earlier: answer the next one locally
                    } else {
                        dedup.remove(p.key);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
