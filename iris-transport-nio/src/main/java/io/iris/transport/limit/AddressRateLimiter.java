package io.iris.transport.limit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket per source address ({@link AddressKey}) in a table of fixed capacity: {@code permits} tokens
 * per {@code period}, at most {@code burst} at once. Used for the connection rate at accept and for failed
 * logins.
 *
 * <h2>Why it is built this way</h2>
 *
 * <p>Each bucket is the generic cell rate algorithm (as the per-user {@code TokenBucket} of the engine): one
 * {@code long}, the "theoretical arrival time" of the next token. A bucket whose time has passed is full,
 * "at rest", and holds no information: forgetting it changes nothing. That is what keeps memory bounded
 * under a flood from many addresses: the table is allocated once ({@link #capacity()} entries, about 25
 * bytes each, no objects), and an address is only ever stored in one of the {@value #WAYS} slots of the set
 * its hash picks (set-associative, like a CPU cache). A new address takes a free or at-rest slot of its set;
 * if every slot there holds a live bucket, the one closest to rest (the smallest arrival time, i.e. the
 * address that used least of its allowance) is evicted and counted in {@link #evictions()}. Eviction can only
 * make the limit more lenient for the evicted address, never refuse anyone wrongly, and the addresses that
 * are being limited (large arrival times) are the last to go.
 *
 * <p>Thread-safe: each set is guarded by one of up to {@value #MAX_STRIPES} lock stripes, so I/O threads
 * limiting different addresses rarely meet. Lookups allocate nothing for IPv4 addresses; an IPv6 address
 * costs one copy of its 16 bytes ({@link InetAddress#getAddress()}). Clocks are passed in (monotonic
 * nanoseconds, e.g. {@link System#nanoTime()}), so tests drive them by hand.
 */
public final class AddressRateLimiter {
    /** Slots per set: the slots an address may occupy. */
    public static final int WAYS = 8;
    /** Most lock stripes. */
    static final int MAX_STRIPES = 64;
    /** Largest capacity: 2^24 addresses (about 400 MiB); far above any sensible setting. */
    public static final int MAX_CAPACITY = 1 << 24;

    private final long intervalNanos;
    private final long toleranceNanos;
    private final int permits;
    private final long periodNanos;
    private final int burst;
    private final int setMask;
    private final long[] keyHi;
    private final long[] keyLo;
    private final long[] arrival;
    private final boolean[] used;
    private final Object[] locks;
    private final int stripeMask;
    private final AtomicLong evictions = new AtomicLong();

    /**
     * @param permits  tokens added per period, at least 1.
     * @param period   the period, at least 1 ns.
     * @param burst    tokens a full bucket holds, at least 1.
     * @param capacity addresses tracked at once, 1..{@value #MAX_CAPACITY}; rounded up to a power of two
     *                 and at least {@value #WAYS}.
     * @throws IllegalArgumentException for values out of range.
     */
    public AddressRateLimiter(final int permits, final long period, final TimeUnit unit, final int burst,
                              final int capacity) {
        Objects.requireNonNull(unit, "unit");
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "], was " + capacity);
        }
        final long nanos = unit.toNanos(period);
        if (nanos < 1) {
            throw new IllegalArgumentException("period must be at least 1 ns, was " + period + " " + unit);
        }
        this.permits = permits;
        this.periodNanos = nanos;
        this.burst = burst;
        this.intervalNanos = Math.max(1, nanos / permits);
        try {
            this.toleranceNanos = Math.multiplyExact(intervalNanos, burst - 1L);
        } catch (final ArithmeticException e) {
            throw new IllegalArgumentException("burst " + burst + " at " + permits + " per " + period + " " + unit
                + " spans more time than a long holds", e);
        }
        final int slots = capacity <= WAYS ? WAYS
            : Integer.bitCount(capacity) == 1 ? capacity : Integer.highestOneBit(capacity) << 1;
        final int sets = slots / WAYS;
        this.setMask = sets - 1;
        this.keyHi = new long[slots];
        this.keyLo = new long[slots];
        this.arrival = new long[slots];
        this.used = new boolean[slots];
        final int stripes = Math.min(sets, MAX_STRIPES);
        this.stripeMask = stripes - 1;
        this.locks = new Object[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Takes one token from the address's bucket.
     *
     * @param address  the source address.
     * @param nowNanos a monotonic clock reading.
     * @return 0 if a token was taken; otherwise the nanoseconds until one is available (nothing taken).
     */
    public long tryAcquire(final InetAddress address, final long nowNanos) {
        if (address instanceof Inet4Address) {
            return tryAcquire(0, AddressKey.ipv4Lo((Inet4Address) address), nowNanos);
        }
        final AddressKey key = AddressKey.of(address);
        return tryAcquire(key.hi(), key.lo(), nowNanos);
    }

    /**
     * Takes one token from the address's bucket.
     *
     * @param key      the source address's key.
     * @param nowNanos a monotonic clock reading.
     * @return 0 if a token was taken; otherwise the nanoseconds until one is available (nothing taken).
     */
    public long tryAcquire(final AddressKey key, final long nowNanos) {
        return tryAcquire(key.hi(), key.lo(), nowNanos);
    }

    /**
     * Looks without taking: how long until the address's bucket has a token. An address not in the table
     * has a full bucket (0); the table is not changed.
     *
     * @param address  the source address.
     * @param nowNanos a monotonic clock reading.
     * @return 0 if a token is available now, else the nanoseconds until one is.
     */
    public long waitNanos(final InetAddress address, final long nowNanos) {
        final long hi;
        final long lo;
        if (address instanceof Inet4Address) {
            hi = 0;
            lo = AddressKey.ipv4Lo((Inet4Address) address);
        } else {
            final AddressKey key = AddressKey.of(address);
            hi = key.hi();
            lo = key.lo();
        }
        final int set = set(hi, lo);
        final int base = set * WAYS;
        synchronized (locks[set & stripeMask]) {
            for (int i = base; i < base + WAYS; i++) {
                if (used[i] && keyHi[i] == hi && keyLo[i] == lo) {
                    final long tat = arrival[i];
                    final long start = tat - nowNanos < 0 ? nowNanos : tat;
                    return Math.max(0, start - toleranceNanos - nowNanos);
                }
            }
        }
        return 0;
    }

    private long tryAcquire(final long hi, final long lo, final long nowNanos) {
        final int set = set(hi, lo);
        final int base = set * WAYS;
        synchronized (locks[set & stripeMask]) {
            int free = -1;
            int victim = -1;
            for (int i = base; i < base + WAYS; i++) {
                if (!used[i]) {
                    if (free < 0) {
                        free = i;
                    }
                    continue;
                }
                final long tat = arrival[i];
                if (keyHi[i] == hi && keyLo[i] == lo) {
                    final long start = tat - nowNanos < 0 ? nowNanos : tat;
                    final long wait = start - toleranceNanos - nowNanos;
                    if (wait > 0) {
                        return wait;
                    }
                    arrival[i] = start + intervalNanos;
                    return 0;
                }
                if (tat - nowNanos <= 0) {
                    if (free < 0) {
                        free = i; // at rest: a full bucket, nothing to remember
                    }
                } else if (victim < 0 || tat - arrival[victim] < 0) {
                    victim = i;
                }
            }
            final int slot;
            if (free >= 0) {
                slot = free;
            } else {
                slot = victim;
                evictions.incrementAndGet();
            }
            used[slot] = true;
            keyHi[slot] = hi;
            keyLo[slot] = lo;
            arrival[slot] = nowNanos + intervalNanos; // a new address starts with a full bucket, minus this token
            return 0;
        }
    }

    private int set(final long hi, final long lo) {
        long h = hi * 0x9E3779B97F4A7C15L + lo;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h & setMask;
    }

    /** @return slots in the table: the most addresses tracked at once. */
    public int capacity() {
        return used.length;
    }

    /**
     * @param nowNanos a monotonic clock reading.
     * @return addresses whose bucket is not full at {@code nowNanos} (scans the whole table: diagnostics and tests).
     */
    public int limitedAddresses(final long nowNanos) {
        int n = 0;
        for (int s = 0; s <= stripeMask; s++) {
            synchronized (locks[s]) {
                for (int set = s; set <= setMask; set += stripeMask + 1) {
                    for (int i = set * WAYS; i < set * WAYS + WAYS; i++) {
                        if (used[i] && arrival[i] - nowNanos > 0) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** @return how many times a bucket that was not full had to make room for a new address. */
    public long evictions() {
        return evictions.get();
    }

    /** @return tokens added per {@link #periodNanos()}. */
    public int permits() {
        return permits;
    }

    /** @return the period over which {@link #permits()} tokens are added, in nanoseconds. */
    public long periodNanos() {
        return periodNanos;
    }

    /** @return tokens a full bucket holds. */
    public int burst() {
        return burst;
    }

    @Override
    public String toString() {
        return "AddressRateLimiter{" + permits + " per " + periodNanos + " ns, burst " + burst + ", capacity "
            + capacity() + '}';
    }
}
