package io.iris.api.discovery;

import java.util.List;

/**
 * The current cluster membership and its changes. Thread-safe.
 *
 * <p>Contract every provider keeps (checked by the discovery TCK, {@code iris-discovery-tck}):
 * <ul>
 *   <li>a member list is always complete and sorted by {@link Member#id()}; a listener is called once
 *       per change with the whole new list, never with a partial one;</li>
 *   <li>when the source (DNS server, Consul agent, etcd) cannot be reached, the last good list is kept,
 *       {@link #isSourceReachable()} turns false, {@link #sourceErrors()} counts each failed attempt, and
 *       the provider keeps retrying by itself until the source answers again;</li>
 *   <li>{@link #close()} deregisters this node where the source supports registration and stops every
 *       thread the provider started.</li>
 * </ul>
 */
public interface Discovery extends AutoCloseable {
    /** @return every member now known, sorted by id, unmodifiable. */
    List<Member> members();

    /**
     * Registers a listener; it is called once at once with the current members, then on every change.
     *
     * @param listener the listener.
     */
    void subscribe(MembershipListener listener);

    /**
     * @return false from a failed attempt to read (or keep alive a registration in) the source until the
     * next successful one; the membership is then the last good one. Always true for a provider with no
     * external source.
     */
    default boolean isSourceReachable() {
        return true;
    }

    /**
     * @return how many attempts to read the source, or to keep this node's registration alive, failed
     * since start: a monotonic counter for the metrics registry. Always 0 for a provider with no
     * external source.
     */
    default long sourceErrors() {
        return 0;
    }

    /** Deregisters this node where the source supports it, stops watching, stops every provider thread. */
    @Override
    void close();
}
