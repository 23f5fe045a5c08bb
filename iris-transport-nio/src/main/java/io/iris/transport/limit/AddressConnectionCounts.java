package io.iris.transport.limit;

import java.util.HashMap;

/**
 * Open connections per source address ({@link AddressKey}), with a cap. An address is in the map only
 * while it has open connections, so memory follows open connections (which the server already caps), not
 * the addresses ever seen. Thread-safe: connections are opened on the accepting thread and closed on any
 * I/O thread; both are rare next to frames, so one lock held for a map operation is enough.
 */
public final class AddressConnectionCounts {
    private final int maxPerAddress;
    private final HashMap<AddressKey, int[]> open = new HashMap<>();

    /**
     * @param maxPerAddress open connections allowed per address, at least 1.
     */
    public AddressConnectionCounts(final int maxPerAddress) {
        if (maxPerAddress < 1) {
            throw new IllegalArgumentException("maxPerAddress must be at least 1, was " + maxPerAddress);
        }
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Counts a new connection if the address is below the cap.
     *
     * @param key the connection's source address.
     * @return true if counted (the caller must {@link #release} it when the connection closes); false if
     * the address is at the cap (nothing counted).
     */
    public synchronized boolean tryAcquire(final AddressKey key) {
        final int[] count = open.get(key);
        if (count == null) {
            open.put(key, new int[] {1});
            return true;
        }
        if (count[0] >= maxPerAddress) {
            return false;
        }
        count[0]++;
        return true;
    }

    /**
     * Uncounts a connection counted by {@link #tryAcquire}.
     *
     * @param key the connection's source address.
     * @throws IllegalStateException if the address has no counted connection (a bug in the caller).
     */
    public synchronized void release(final AddressKey key) {
        final int[] count = open.get(key);
        if (count == null) {
            throw new IllegalStateException("no open connection counted for " + key);
        }
        if (--count[0] == 0) {
            open.remove(key);
        }
    }

    /**
     * @param key an address.
     * @return its open connections now.
     */
    public synchronized int count(final AddressKey key) {
        final int[] count = open.get(key);
        return count == null ? 0 : count[0];
    }

    /** @return addresses with at least one open connection now. */
    public synchronized int addresses() {
        return open.size();
    }

    /** @return the cap per address. */
    public int maxPerAddress() {
        return maxPerAddress;
    }
}
