package io.iris.api.discovery;

import java.util.List;

/**
 * The current cluster membership and its changes. Thread-safe.
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

    /** Stops watching; releases resources. */
    @Override
    void close();
}
