package io.iris.engine.counters;

import io.iris.api.counters.Histogram;
import io.iris.api.counters.IrisCounters;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendStatus;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The engine's counters, allocated once in an {@link IrisCounters} registry and updated without allocating
 * from I/O threads, shard threads and the flow-control sampler. Counters shared by several threads are
 * moved with {@link AtomicCounter#increment()}; per-shard gauges are written by their shard only.
 *
 * <table>
 *   <caption>names</caption>
 *   <tr><td>{@code iris_logins_total}</td><td>logins answered LOGIN_OK</td></tr>
 *   <tr><td>{@code iris_logins_refused_total{code}}</td><td>logins refused, by error code</td></tr>
 *   <tr><td>{@code iris_sends_total{status}}</td><td>SENDs answered, by status (clients and embedding API)</td></tr>
 *   <tr><td>{@code iris_deliveries_total}</td><td>DELIVER frames handed to devices</td></tr>
 *   <tr><td>{@code iris_delivery_acks_total}</td><td>DELIVER_ACKs processed by shards</td></tr>
 *   <tr><td>{@code iris_group_commit_batches_total}, {@code iris_group_commit_records_total}</td>
 *       <td>group commits (one storage sync each) and the appends they covered</td></tr>
 *   <tr><td>{@code iris_storage_sync_seconds} (histogram)</td><td>time of each group-commit storage sync</td></tr>
 *   <tr><td>{@code iris_group_commit_batch_records} (histogram)</td><td>appends covered by each group commit</td></tr>
 *   <tr><td>{@code iris_shard_queue_bytes{shard}}</td><td>bytes waiting in a shard's command queue</td></tr>
 *   <tr><td>{@code iris_shard_cached_users{shard}}</td><td>user ids a shard keeps interned</td></tr>
 *   <tr><td>{@code iris_overload_level}</td><td>the overload level's ordinal (0 NORMAL … 3 CRITICAL)</td></tr>
 *   <tr><td>{@code iris_overload_level_changes_total}</td><td>level changes</td></tr>
 *   <tr><td>{@code iris_storage_errors_total}</td><td>storage calls of the engine that failed</td></tr>
 *   <tr><td>{@code iris_stalled_consumer_closes_total}</td>
 *       <td>devices closed with SLOW_CONSUMER by their shard (window full, no ack)</td></tr>
 *   <tr><td>{@code iris_egress_overflow_closes_total}</td>
 *       <td>connections closed because a shard's outbox for I/O threads was full</td></tr>
 *   <tr><td>{@code iris_ingress_overflow_closes_total}</td>
 *       <td>connections closed because an I/O thread's outbox for shards was full</td></tr>
 * </table>
 */
public final class EngineCounters {
    /** Sync-time buckets: 50 µs (a page-cache write) to 1 s (a struggling disk or remote store), in ns. */
    static final long[] SYNC_BOUNDS_NANOS = {50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
        10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000};
    /** Batch-size buckets: powers of two up to engine.maxBatch's default and beyond. */
    static final long[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16_384};
    private final AtomicCounter loginsOk;
    private final AtomicCounter[] loginsRefused;
    private final AtomicCounter[] sends;
    private final AtomicCounter deliveries;
    private final AtomicCounter deliveryAcks;
    private final AtomicCounter commitBatches;
    private final AtomicCounter commitRecords;
    private final Histogram syncNanos;
    private final Histogram batchRecords;
    private final AtomicCounter[] queueBytes;
    private final AtomicCounter[] cachedUsers;
    private final AtomicCounter overloadLevel;
    private final AtomicCounter overloadChanges;
    private final AtomicCounter storageErrors;
    private final AtomicCounter stalledCloses;
    private final AtomicCounter egressOverflowCloses;
    private final AtomicCounter ingressOverflowCloses;

    /**
     * Allocates every engine counter in {@code registry}.
     *
     * @param registry where the counters live.
     * @param shards   the number of shards (one queue-depth and one cached-users gauge each).
     */
    public EngineCounters(final IrisCounters registry, final int shards) {
        loginsOk = registry.counter("iris_logins_total", "Logins answered LOGIN_OK.");
        final ErrorCode[] codes = ErrorCode.values();
        loginsRefused = new AtomicCounter[codes.length];
        for (final ErrorCode code : codes) {
            loginsRefused[code.ordinal()] = registry.counter("iris_logins_refused_total",
                "Logins refused, by error code.", "code", code.name());
        }
        final SendStatus[] statuses = SendStatus.values();
        sends = new AtomicCounter[statuses.length];
        for (final SendStatus status : statuses) {
            sends[status.ordinal()] = registry.counter("iris_sends_total",
                "SENDs answered (clients and embedding API), by status.", "status", status.name());
        }
        deliveries = registry.counter("iris_deliveries_total", "DELIVER frames handed to devices.");
        deliveryAcks = registry.counter("iris_delivery_acks_total", "DELIVER_ACKs processed by the shards.");
        commitBatches = registry.counter("iris_group_commit_batches_total",
            "Group commits: one storage sync each.");
        commitRecords = registry.counter("iris_group_commit_records_total", "Appends made durable by group commits.");
        syncNanos = registry.histogram("iris_storage_sync_seconds", "Time of each group-commit storage sync.",
            1e-9, SYNC_BOUNDS_NANOS);
        batchRecords = registry.histogram("iris_group_commit_batch_records", "Appends covered by each group commit.",
            1, BATCH_BOUNDS);
        queueBytes = new AtomicCounter[shards];
        cachedUsers = new AtomicCounter[shards];
        for (int i = 0; i < shards; i++) {
            queueBytes[i] = registry.gauge("iris_shard_queue_bytes", "Bytes waiting in a shard's command queue.",
                "shard", Integer.toString(i));
            cachedUsers[i] = registry.gauge("iris_shard_cached_users", "User ids a shard keeps interned.",
                "shard", Integer.toString(i));
        }
        overloadLevel = registry.gauge("iris_overload_level",
            "The overload level: 0 NORMAL, 1 SLOW, 2 SHED, 3 CRITICAL.");
        overloadChanges = registry.counter("iris_overload_level_changes_total", "Overload level changes.");
        storageErrors = registry.counter("iris_storage_errors_total", "Storage calls of the engine that failed.");
        stalledCloses = registry.counter("iris_stalled_consumer_closes_total",
            "Devices closed with SLOW_CONSUMER by their shard: delivery window full with no acknowledgement.");
        egressOverflowCloses = registry.counter("iris_egress_overflow_closes_total",
            "Connections closed because a shard's outbox towards the I/O threads was full.");
        ingressOverflowCloses = registry.counter("iris_ingress_overflow_closes_total",
            "Connections closed because an I/O thread's outbox towards the shards was full.");
    }

    /** A login was answered LOGIN_OK. */
    public void loginOk() {
        loginsOk.increment();
    }

    /** @param code why a login was refused. */
    public void loginRefused(final ErrorCode code) {
        loginsRefused[code.ordinal()].increment();
    }

    /** @param status how a SEND was answered. */
    public void send(final SendStatus status) {
        sends[status.ordinal()].increment();
    }

    /** A DELIVER frame was handed to a device. */
    public void delivered() {
        deliveries.increment();
    }

    /** A shard processed a DELIVER_ACK. */
    public void deliveryAcked() {
        deliveryAcks.increment();
    }

    /** @param records appends made durable by one group commit (at least 1). */
    public void groupCommit(final int records) {
        commitBatches.increment();
        commitRecords.getAndAdd(records);
        batchRecords.record(records);
    }

    /** @return the histogram each group-commit sync's duration is recorded in, in nanoseconds. */
    public Histogram syncLatency() {
        return syncNanos;
    }

    /**
     * Shard thread only; once per duty cycle.
     *
     * @param shard the shard.
     * @param bytes bytes in its command queue now.
     */
    public void queueDepth(final int shard, final long bytes) {
        queueBytes[shard].setOrdered(bytes);
    }

    /**
     * Shard thread only; whenever the number may have changed.
     *
     * @param shard the shard.
     * @param users user ids it keeps interned now.
     */
    public void cachedUsers(final int shard, final int users) {
        cachedUsers[shard].setOrdered(users);
    }

    /** @param level the new overload level's ordinal. */
    public void overloadLevel(final int level) {
        overloadLevel.setOrdered(level);
        overloadChanges.increment();
    }

    /** A storage call failed. */
    public void storageError() {
        storageErrors.increment();
    }

    /** A shard closed a stalled device with SLOW_CONSUMER. */
    public void stalledConsumerClosed() {
        stalledCloses.increment();
    }

    /** A shard closed a connection it could not queue frames for. */
    public void egressOverflowClosed() {
        egressOverflowCloses.increment();
    }

    /** An I/O thread closed a connection whose command it could not queue for a shard. */
    public void ingressOverflowClosed() {
        ingressOverflowCloses.increment();
    }
}
