package io.iris.engine.placement;

/**
 * The address of one device session: the node whose transport holds the device's connection and the
 * connection's id there, packed into one {@code long} so that nothing is allocated per message and an address
 * fits wherever a bare connection id used to (ring-buffer commands, primitive-keyed maps).
 *
 * <pre>
 *  63   62 ........ 48   47 ................................ 0
 * [ 0 ][ node (15 bits) ][ connection id (48 bits)             ]
 * </pre>
 *
 * The sign bit stays clear, so an address is never negative. The local node of a single-node engine is node 0,
 * so there a device's address equals its connection id. Transport connection ids are
 * {@code (sequence << 8) | ioThread}: 48 bits leave 2^40 connections per node before an id would not fit, and
 * {@link #of} refuses one that does not.
 */
public final class DeviceAddress {
    /** Bits of the connection id. */
    public static final int CONNECTION_BITS = 48;
    /** The largest connection id an address holds. */
    public static final long MAX_CONNECTION = (1L << CONNECTION_BITS) - 1;
    /** The largest node index an address holds. */
    public static final int MAX_NODE = (1 << (63 - CONNECTION_BITS)) - 1;

    private DeviceAddress() {
    }

    /**
     * @param node         the node index, in {@code [0, MAX_NODE]}.
     * @param connectionId the connection's id on that node, in {@code [0, MAX_CONNECTION]}.
     * @return the packed address.
     * @throws IllegalArgumentException if either is out of range.
     */
    public static long of(final int node, final long connectionId) {
        if (node < 0 || node > MAX_NODE) {
            throw new IllegalArgumentException("node index out of range [0, " + MAX_NODE + "]: " + node);
        }
        if (connectionId < 0 || connectionId > MAX_CONNECTION) {
            throw new IllegalArgumentException("connection id out of range [0, " + MAX_CONNECTION + "]: "
                + connectionId);
        }
        return ((long) node << CONNECTION_BITS) | connectionId;
    }

    /**
     * @param address a packed address.
     * @return its node index.
     */
    public static int node(final long address) {
        return (int) (address >>> CONNECTION_BITS);
    }

    /**
     * @param address a packed address.
     * @return its connection id on {@link #node}.
     */
    public static long connection(final long address) {
        return address & MAX_CONNECTION;
    }

    /**
     * For logs (allocates).
     *
     * @param address a packed address.
     * @return {@code node/connection}.
     */
    public static String toString(final long address) {
        return node(address) + "/" + connection(address);
    }
}
