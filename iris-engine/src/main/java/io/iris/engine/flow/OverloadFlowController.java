package io.iris.engine.flow;

import io.iris.api.flow.OverloadLevel;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Multi-level admission control. A sampler thread ({@code iris-flow}, a daemon) reads the {@link Signal}s
 * every {@code flow.sampleIntervalMillis}, feeds them to a {@link LevelStateMachine} (immediate up, hysteresis
 * and dwell on the way down) and publishes the resulting {@link OverloadLevel} in a volatile field. The
 * I/O threads' {@link #admit} only reads that field, so it stays cheap however expensive a signal is to
 * measure (heap usage comes from GC notifications, the outbound backlog from the transport's per-thread
 * totals).
 *
 * <p>What {@link #admit} answers, per level:
 * <ul>
 *   <li>NORMAL: admit.</li>
 *   <li>SLOW: refuse one SEND in {@code flow.slow.shedOneIn} (one shared counter, so exactly that fraction
 *       over all senders) with {@code flow.slow.retryAfterMillis}; admit the others.</li>
 *   <li>SHED: refuse every SEND with {@code flow.shed.retryAfterMillis}.</li>
 *   <li>CRITICAL: refuse every SEND with {@code flow.critical.retryAfterMillis}; the {@code onChange}
 *       listener is where the engine makes the transport refuse new connections.</li>
 * </ul>
 * On top of the level, and always instant: a SEND to a shard whose queue is filled above
 * {@code flow.highWaterFraction} is refused with at least the SHED retry-after. That guard keeps the space
 * above the mark for logins, logouts, acks and presence queries, which are never refused, so an overloaded
 * shard still learns who left and still frees storage.
 */
public final class OverloadFlowController implements FlowController, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverloadFlowController.class);

    private final FlowSettings settings;
    private final RingBuffer[] queues;
    private final int[] highWaterBytes;
    private final CommitLatencyProbe[] commitLatency;
    private final DoubleSupplier heapAfterGc;
    private final LongSupplier nanoClock;
    private LongSupplier outboundBytes = () -> 0;
    private Consumer<OverloadLevel> onChange = level -> { };
    private final LevelStateMachine machine;
    private final long[] retryByLevel;
    private final long guardRetryFloor;
    private final double[] values = new double[Signal.count()];
    private final AtomicLong slowCounter = new AtomicLong();
    /** {@link #values} as published after each sample (raw double bits), for readers on other threads. */
    private final AtomicLongArray published = new AtomicLongArray(Signal.count());
    private volatile int level;
    private volatile boolean closed;
    private Thread sampler;

    /**
     * @param settings      the {@code flow.*} configuration.
     * @param queues        each shard's command queue, indexed by shard.
     * @param commitLatency each shard's group-commit latency probe.
     * @param heapAfterGc   the heap signal (fraction of max heap after GC).
     * @param nanoClock     a monotonic clock (normally {@link System#nanoTime()}).
     */
    public OverloadFlowController(final FlowSettings settings, final RingBuffer[] queues,
                                  final CommitLatencyProbe[] commitLatency, final DoubleSupplier heapAfterGc,
                                  final LongSupplier nanoClock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.queues = queues.clone();
        this.commitLatency = commitLatency.clone();
        this.heapAfterGc = Objects.requireNonNull(heapAfterGc, "heapAfterGc");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.highWaterBytes = new int[queues.length];
        for (int i = 0; i < queues.length; i++) {
            highWaterBytes[i] = (int) (queues[i].capacity() * settings.highWaterFraction());
        }
        this.machine = new LevelStateMachine(settings.enter(), settings.exit(),
            TimeUnit.MILLISECONDS.toNanos(settings.dwellMillis()));
        this.retryByLevel = settings.retryAfterMillis().clone();
        this.guardRetryFloor = retryByLevel[OverloadLevel.SHED.ordinal()];
    }

    /**
     * Attaches what the controller watches and drives outside the shards: the transport, which is built after
     * the controller (the transport's handler admits SENDs through it). Call once, before {@link #start()} or
     * the first {@link #sample()}; until then the outbound backlog reads 0 and changes are told to no one.
     *
     * @param outboundBytes the transport's unsent bytes across all connections.
     * @param onChange      told each new level, on the sampler thread, just before {@link #level()} and
     *                      {@link #admit} use it: whatever it switches on (e.g. refusing connections) is in
     *                      force by the time {@link #level()} reports the level.
     * @return this controller.
     */
    public OverloadFlowController attach(final LongSupplier outboundBytes, final Consumer<OverloadLevel> onChange) {
        this.outboundBytes = Objects.requireNonNull(outboundBytes, "outboundBytes");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        return this;
    }

    @Override
    public long admit(final int shard) {
        final int current = level;
        if (queues[shard].size() >= highWaterBytes[shard]) {
            return Math.max(guardRetryFloor, retryByLevel[current]);
        }
        if (current == 0) {
            return 0;
        }
        if (current == 1) {
            return slowCounter.getAndIncrement() % settings.slowShedOneIn() == 0 ? retryByLevel[1] : 0;
        }
        return retryByLevel[current];
    }

    /** @return the level last published by the sampler. */
    public OverloadLevel level() {
        return OverloadLevel.of(level);
    }

    /**
     * Any thread: what the last sample measured, with each signal's thresholds (operators' view; the admin
     * API's {@code GET /admin/overload}). All zero before the first sample.
     *
     * @return one reading per {@link Signal}, in declaration order.
     */
    public List<SignalReading> readings() {
        final List<SignalReading> readings = new ArrayList<>(Signal.count());
        for (int s = 0; s < Signal.count(); s++) {
            readings.add(new SignalReading(Signal.of(s), Double.longBitsToDouble(published.get(s)),
                settings.enter()[s].clone(), settings.exit()[s].clone()));
        }
        return readings;
    }

    @Override
    public long retryAfterMillis(final OverloadLevel level) {
        return retryByLevel[level.ordinal()];
    }

    /**
     * Reads every signal once and updates the level. The sampler thread calls this; tests may call it
     * directly instead of {@link #start()}. Not for concurrent use.
     */
    public void sample() {
        final long now = nanoClock.getAsLong();
        double queue = 0;
        for (final RingBuffer q : queues) {
            queue = Math.max(queue, (double) q.size() / q.capacity());
        }
        long latency = 0;
        for (final CommitLatencyProbe p : commitLatency) {
            latency = Math.max(latency, p.latencyNanos(now));
        }
        values[Signal.QUEUE.ordinal()] = queue;
        values[Signal.COMMIT_LATENCY.ordinal()] = latency / 1e6;
        values[Signal.HEAP.ordinal()] = heapAfterGc.getAsDouble();
        values[Signal.OUTBOUND.ordinal()] = (double) outboundBytes.getAsLong() / settings.outboundBudgetBytes();
        for (int s = 0; s < values.length; s++) {
            published.lazySet(s, Double.doubleToRawLongBits(values[s]));
        }
        final OverloadLevel before = OverloadLevel.of(level);
        if (!machine.update(values, now)) {
            return;
        }
        final OverloadLevel after = machine.level();
        try {
            onChange.accept(after);
        } catch (final RuntimeException e) {
            LOG.error("overload level listener failed", e);
        }
        level = after.ordinal();
        if (LOG.isInfoEnabled()) {
            LOG.info("overload level {} -> {} ({} {}): {}", before, after,
                after.ordinal() > before.ordinal() ? "raised by" : "all below exit thresholds, nearest",
                machine.cause().key(), describe(after.ordinal() > before.ordinal() ? after : before));
        }
    }

    /** @return every signal's value with the thresholds that matter for {@code level}. */
    private String describe(final OverloadLevel level) {
        final StringBuilder b = new StringBuilder();
        final int l = level.ordinal() - 1;
        for (int s = 0; s < values.length; s++) {
            if (s > 0) {
                b.append(", ");
            }
            b.append(Signal.of(s).key()).append('=').append(String.format("%.3f", values[s]));
            if (l >= 0) {
                b.append(" (enter ").append(settings.enter()[s][l]).append(", exit ").append(settings.exit()[s][l])
                    .append(')');
            }
        }
        return b.toString();
    }

    /** Starts the sampler thread ({@code iris-flow}, a daemon). */
    public synchronized void start() {
        if (sampler != null || closed) {
            return;
        }
        final long interval = TimeUnit.MILLISECONDS.toNanos(settings.sampleIntervalMillis());
        sampler = new Thread(() -> {
            while (!closed) {
                try {
                    sample();
                } catch (final RuntimeException e) {
                    LOG.error("flow-control sample failed; the level stays {}", level(), e);
                }
                LockSupport.parkNanos(interval);
            }
        }, "iris-flow");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Stops the sampler thread and waits for it (up to a few seconds). Idempotent. */
    @Override
    public void close() {
        final Thread t;
        synchronized (this) {
            closed = true;
            t = sampler;
        }
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
